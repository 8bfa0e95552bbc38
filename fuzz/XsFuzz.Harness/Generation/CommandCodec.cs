using System.Globalization;
using System.Text;
using XsFuzz.Harness.Decoding;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// One command record, both ways: <see cref="Decode"/> reads a command from the record against the live
/// view, <see cref="Encode"/> writes the choices that make Decode return a given command in the same
/// state. Layout: kind, then (requests) connection, op arguments, transaction; (DRAIN) connection.
/// The transaction comes last because its usual value, 0, is the default: trailing defaults cost no
/// bytes.
/// </summary>
internal sealed class CommandCodec(Vocabulary vocab)
{
    public Command Decode(Choices c, LiveView view)
    {
        var kind = (CommandKind)c.Weighted(CommandKinds.Table);
        if (kind == CommandKind.LiveUpdate) return LiveUpdateCommand.Instance;
        var conn = ConnectionChooser.Decode(c, SendersFor(kind, view));
        if (kind == CommandKind.Drain) return new DrainCommand(conn);
        uint type;
        string payload;
        if (kind == CommandKind.Raw)
        {
            type = DecodeRawType(c);
            payload = c.Bytes(Vocabulary.LiteralMax);
        }
        else
        {
            type = (uint)CommandKinds.OpOf(kind);
            payload = DecodePayload(kind, c, view, conn);
        }
        var tx = TxChooser.Decode(c, view, conn, TxTable(kind));
        return new RequestCommand(conn, tx, type, payload);
    }

    public void Encode(ChoiceWriter w, LiveView view, Command command)
    {
        switch (command)
        {
            case LiveUpdateCommand:
                w.Weighted(CommandKinds.Table, (int)CommandKind.LiveUpdate);
                return;
            case DrainCommand drain:
                w.Weighted(CommandKinds.Table, (int)CommandKind.Drain);
                ConnectionChooser.Encode(w, view, drain.Connection);
                return;
            case RequestCommand r:
            {
                var kind = CommandKinds.KindOf(r.Type, r.Payload, out var args);
                w.Weighted(CommandKinds.Table, (int)kind);
                ConnectionChooser.Encode(w, SendersFor(kind, view), r.Connection);
                if (kind == CommandKind.Raw)
                {
                    EncodeRawType(w, r.Type);
                    w.Bytes(r.Payload, Vocabulary.LiteralMax);
                }
                else EncodePayload(kind, w, view, r.Connection, args);
                TxChooser.Encode(w, view, r.Connection, TxTable(kind), r.Tx);
                return;
            }
            default:
                throw new ArgumentException("unknown command " + command.GetType().Name, nameof(command));
        }
    }

    private static IReadOnlyList<ConnectionId> SendersFor(CommandKind kind, LiveView view) => kind switch
    {
        CommandKind.TransactionEnd => view.ConnectionsWithTransactions,
        CommandKind.Unwatch => view.ConnectionsWithWatches,
        _ => view.Connections,
    };

    private static WeightTable PathTable(CommandKind kind) =>
        kind == CommandKind.Mkdir ? PathChooser.ForCreate : PathChooser.ForExisting;

    private static WeightTable TxTable(CommandKind kind) => kind switch
    {
        CommandKind.TransactionStart => TxChooser.ForStart,
        CommandKind.TransactionEnd => TxChooser.ForEnd,
        _ => TxChooser.ForOthers,
    };

    private string DecodePayload(CommandKind kind, Choices c, LiveView view, ConnectionId conn)
    {
        switch (kind)
        {
            case CommandKind.Read or CommandKind.Directory or CommandKind.GetPerms or CommandKind.Mkdir or CommandKind.Rm:
                return Args(PathChooser.Decode(c, view, vocab, conn, PathTable(kind)));
            case CommandKind.Write:
                return PathChooser.Decode(c, view, vocab, conn, PathChooser.ForCreate) + "\0" + ValueChooser.Decode(c, view, vocab);
            case CommandKind.SetPerms:
            {
                var path = PathChooser.Decode(c, view, vocab, conn, PathChooser.ForExisting);
                return Args([path, .. PermsChooser.DecodeList(c, view)]);
            }
            case CommandKind.Watch:
                return Args(PathChooser.Decode(c, view, vocab, conn, PathChooser.ForWatch), TokenChooser.Decode(c, view, conn));
            case CommandKind.Unwatch:
                return DecodeUnwatch(c, view, conn);
            case CommandKind.TransactionStart or CommandKind.ResetWatches:
                return "";
            case CommandKind.TransactionEnd:
                return Args(TransactionEndChooser.Decode(c));
            case CommandKind.Introduce:
                return DecodeIntroduce(c, view);
            case CommandKind.Release:
                return Args(DomidChooser.Decode(c, view, DomidChooser.ForRelease));
            case CommandKind.GetDomainPath or CommandKind.IsDomainIntroduced or CommandKind.Resume:
                return Args(DomidChooser.Decode(c, view));
            case CommandKind.SetTarget:
                return Args(DomidChooser.Decode(c, view), DomidChooser.Decode(c, view));
            case CommandKind.Control:
                return ControlChooser.Decode(c, view);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private void EncodePayload(CommandKind kind, ChoiceWriter w, LiveView view, ConnectionId conn, string[] args)
    {
        switch (kind)
        {
            case CommandKind.Read or CommandKind.Directory or CommandKind.GetPerms or CommandKind.Mkdir or CommandKind.Rm:
                PathChooser.Encode(w, view, vocab, conn, args[0], PathTable(kind));
                return;
            case CommandKind.Write:
                PathChooser.Encode(w, view, vocab, conn, args[0], PathChooser.ForCreate);
                ValueChooser.Encode(w, vocab, args[1]);
                return;
            case CommandKind.SetPerms:
                PathChooser.Encode(w, view, vocab, conn, args[0], PathChooser.ForExisting);
                PermsChooser.EncodeList(w, view, args[1..]);
                return;
            case CommandKind.Watch:
                PathChooser.Encode(w, view, vocab, conn, args[0], PathChooser.ForWatch);
                TokenChooser.Encode(w, args[1]);
                return;
            case CommandKind.Unwatch:
                EncodeUnwatch(w, view, conn, args[0], args[1]);
                return;
            case CommandKind.TransactionStart or CommandKind.ResetWatches:
                return;
            case CommandKind.TransactionEnd:
                TransactionEndChooser.Encode(w, args[0]);
                return;
            case CommandKind.Introduce:
                EncodeIntroduce(w, view, args);
                return;
            case CommandKind.Release:
                DomidChooser.Encode(w, view, args[0], DomidChooser.ForRelease);
                return;
            case CommandKind.GetDomainPath or CommandKind.IsDomainIntroduced or CommandKind.Resume:
                DomidChooser.Encode(w, view, args[0]);
                return;
            case CommandKind.SetTarget:
                DomidChooser.Encode(w, view, args[0]);
                DomidChooser.Encode(w, view, args[1]);
                return;
            case CommandKind.Control:
                ControlChooser.Encode(w, view, args);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    // UNWATCH mostly names a registered watch exactly as it was given (path and token).
    private static readonly WeightTable UnwatchTable = new(176, 80);

    private string DecodeUnwatch(Choices c, LiveView view, ConnectionId conn)
    {
        if (c.Weighted(UnwatchTable) == 0)
        {
            var watches = view.Watches(conn);
            if (watches.Count == 0) return Args("/", "");
            var watch = watches[c.Choose(watches.Count)];
            return Args(watch.Path, watch.Token);
        }
        return Args(PathChooser.Decode(c, view, vocab, conn), TokenChooser.Decode(c, view, conn));
    }

    private void EncodeUnwatch(ChoiceWriter w, LiveView view, ConnectionId conn, string path, string token)
    {
        var watches = view.Watches(conn);
        for (var i = 0; i < watches.Count; i++)
        {
            if (watches[i].Path != path || watches[i].Token != token) continue;
            w.Weighted(UnwatchTable, 0);
            w.Choose(i, watches.Count);
            return;
        }
        w.Weighted(UnwatchTable, 1);
        PathChooser.Encode(w, view, vocab, conn, path);
        TokenChooser.Encode(w, token);
    }

    // INTRODUCE: mostly the next free domid with the conventional mfn and port, so that it succeeds and
    // a new domU connection appears; sometimes a live domain again (re-introduction) or odd numbers.
    private static readonly WeightTable IntroduceDomidTable = new(196, 60); // fresh, other (DomidChooser)
    private static readonly WeightTable ConventionalTable = new(220, 36);   // conventional, literal

    private static string DecodeIntroduce(Choices c, LiveView view)
    {
        var domid = c.Weighted(IntroduceDomidTable) == 0 ? DomidChooser.Text(FreshDomid(view)) : DomidChooser.Decode(c, view);
        var mfn = c.Weighted(ConventionalTable) == 0 ? Conventional(domid, 1000) : c.Bytes(Vocabulary.LiteralMax);
        var port = c.Weighted(ConventionalTable) == 0 ? Conventional(domid, 10) : c.Bytes(Vocabulary.LiteralMax);
        return Args(domid, mfn, port);
    }

    private static void EncodeIntroduce(ChoiceWriter w, LiveView view, string[] args)
    {
        if (args[0] == DomidChooser.Text(FreshDomid(view))) w.Weighted(IntroduceDomidTable, 0);
        else
        {
            w.Weighted(IntroduceDomidTable, 1);
            DomidChooser.Encode(w, view, args[0]);
        }
        EncodeConventional(w, args[1], Conventional(args[0], 1000));
        EncodeConventional(w, args[2], Conventional(args[0], 10));
    }

    private static void EncodeConventional(ChoiceWriter w, string value, string conventional)
    {
        if (value == conventional)
        {
            w.Weighted(ConventionalTable, 0);
            return;
        }
        w.Weighted(ConventionalTable, 1);
        w.Bytes(value, Vocabulary.LiteralMax);
    }

    /// <summary>mfn = 1000 + domid, port = 10 + domid (the setup's convention, DomainSetup).</summary>
    private static string Conventional(string domid, long offset) =>
        ((DomidChooser.TryCanonical(domid, out var d) ? d : 0) + offset).ToString(CultureInfo.InvariantCulture);

    /// <summary>The smallest domid from 1 up that is not introduced.</summary>
    private static int FreshDomid(LiveView view)
    {
        var domains = view.Domains;
        for (var candidate = 1; ; candidate++)
        {
            var used = false;
            foreach (var d in domains)
            {
                if (d.Domid == candidate) { used = true; break; }
            }
            if (!used) return candidate;
        }
    }

    // Raw requests: any op number (the defined ones, unused ones, far-off ones) with any payload.
    private static readonly WeightTable RawTypeTable = new(224, 32);

    private static uint DecodeRawType(Choices c) =>
        c.Weighted(RawTypeTable) == 0 ? Vocabulary.RawTypes[c.Choose(Vocabulary.RawTypes.Length)] : c.Varint();

    private static void EncodeRawType(ChoiceWriter w, uint type)
    {
        var index = Array.IndexOf(Vocabulary.RawTypes, type);
        if (index >= 0)
        {
            w.Weighted(RawTypeTable, 0);
            w.Choose(index, Vocabulary.RawTypes.Length);
            return;
        }
        w.Weighted(RawTypeTable, 1);
        w.Varint(type);
    }

    /// <summary>Each argument followed by NUL, the canonical request payload.</summary>
    public static string Args(params string[] args)
    {
        var text = new StringBuilder();
        foreach (var arg in args) text.Append(arg).Append('\0');
        return text.ToString();
    }
}
