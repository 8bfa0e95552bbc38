using XsFuzz.Harness.Decoding;
using static XsFuzz.Harness.Generation.RequestArgs;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// One command record, against the live view. Layout: kind, then (requests) connection, op arguments,
/// transaction; (DRAIN) connection. The transaction comes last because its usual value, 0, is the
/// default: trailing defaults cost no bytes. Encoding tries every kind, so a request whose payload a
/// kind's generator could not have produced comes out as a raw request. A request record may end with
/// a repeat count (<see cref="Repeats"/>): the request is followed by that many copies of itself; a
/// domU's request without copies then with a split (<see cref="SplitAt"/>): only its first bytes are
/// written now (<see cref="PartialCommand"/>).
/// </summary>
internal static class CommandChoice
{
    /// <summary>What a command is chosen against; <paramref name="Quiet"/>: the scenario has a listener (A2), which never sends.</summary>
    public readonly record struct Context(LiveView View, Vocabulary Vocab, bool Quiet);

    public static Command Choose(Choices c, Context context, Command? want) =>
        c.OneOf(CommandKinds.Table, context, want, Alternative);

    /// <summary>
    /// A command and, for a request, how many copies of it follow (<see cref="Copy"/>): a burst of
    /// identical writes, many watches on one path. Writing: <paramref name="wantCopies"/> copies.
    /// </summary>
    public static (Command Command, int Copies) ChooseWithCopies(Choices c, Context context, Command? want, int wantCopies)
    {
        var split = want as PartialCommand;
        var command = Choose(c, context, split is null ? want : split.Request);
        if (command is not RequestCommand request) return (command, 0);
        var copies = Repeats(c, wantCopies);
        if (copies > 0 || !Splittable(request)) return (command, copies);
        var bytes = SplitAt(c, request, split?.Bytes ?? 0);
        return (bytes == 0 ? command : new PartialCommand(request, bytes), 0);
    }

    /// <summary>The decoder splits the requests of domUs (a guest writing into its ring), the connections whose partial input a live update must keep.</summary>
    private static bool Splittable(RequestCommand r) => r.Connection.Kind == ConnectionKind.Ring && r.Connection.Number != 0;

    // Mostly whole; like the copy count, after everything else in the record (older inputs have none).
    private static readonly WeightTable SplitTable = new(216, 40);

    /// <summary>How many of the request's bytes are written now: 0 (all of them), or 1 .. its length - 1.</summary>
    private static int SplitAt(Choices c, RequestCommand r, int want)
    {
        var length = Xenstore.Wire.Packet.HeaderSize + r.Payload.Length; // Latin-1: a char per byte
        return c.Weighted(SplitTable, want > 0 ? 1 : 0) == 0 ? 0 : 1 + c.Index(length - 1, want - 1);
    }

    /// <summary>Most copies one request record makes.</summary>
    public const int RepeatMax = 32;

    // Mostly none; the count comes after everything else in the record, so that a record that ends
    // earlier (every input written before there were copies, every shrunk one) has none.
    private static readonly WeightTable RepeatTable = new(200, 56);

    /// <summary>How many copies follow: none, or 1..RepeatMax.</summary>
    private static int Repeats(Choices c, int want) =>
        c.Weighted(RepeatTable, want > 0 ? 1 : 0) == 0 ? 0 : 1 + c.Index(RepeatMax, want - 1);

    private static Command Alternative(Choices c, Context s, Command? want, int alt)
    {
        var kind = (CommandKind)alt;
        if (kind == CommandKind.LiveUpdate) return LiveUpdateCommand.Instance;
        var view = s.View;
        if (kind == CommandKind.Drain) return new DrainCommand(ConnectionChoice.Choose(c, Audible(view.Connections, s.Quiet), (want as DrainCommand)?.Connection));
        var r = want as RequestCommand;
        // Writing: a request of another op cannot come out of this kind; stop before trying its arguments.
        if (c.Writing && (r is null || (kind != CommandKind.Raw && r.Type != (uint)CommandKinds.OpOf(kind)))) return c.Fail(want!);
        var conn = ConnectionChoice.Choose(c, Audible(SendersFor(kind, view), s.Quiet), r?.Connection);
        uint type;
        string payload;
        if (kind == CommandKind.Raw)
        {
            type = c.OneOf(RawTypeTable, 0, r?.Type ?? 0, RawType);
            payload = c.Bytes(Vocabulary.LiteralMax, r?.Payload);
        }
        else
        {
            type = (uint)CommandKinds.OpOf(kind);
            payload = Payload(c, s, kind, conn, r?.Payload);
        }
        var tx = TxChoice.Choose(c, view, conn, TxTable(kind), r?.Tx ?? 0);
        return new RequestCommand(conn, tx, type, payload);
    }

    private static string Payload(Choices c, Context s, CommandKind kind, ConnectionId conn, string? want)
    {
        var (view, vocab) = (s.View, s.Vocab);
        var args = Split(want); // null when reading
        switch (kind)
        {
            case CommandKind.Read or CommandKind.Directory or CommandKind.GetPerms or CommandKind.Mkdir or CommandKind.Rm:
                return Join(PathChoice.Choose(c, view, vocab, conn, PathTable(kind), At(args, 0)));
            case CommandKind.Write:
            {
                var nul = want?.IndexOf('\0') ?? -1;
                return PathChoice.Choose(c, view, vocab, conn, PathChoice.ForCreate, nul < 0 ? null : want![..nul]) + "\0"
                    + ValueChoice.Choose(c, view, vocab, nul < 0 ? null : want![(nul + 1)..]);
            }
            case CommandKind.SetPerms:
            {
                var path = PathChoice.Choose(c, view, vocab, conn, PathChoice.ForExisting, At(args, 0));
                return Join([path, .. PermsChoice.List(c, view, args?[1..])]);
            }
            case CommandKind.Watch:
                return Join(PathChoice.Choose(c, view, vocab, conn, PathChoice.ForWatch, At(args, 0)),
                    TokenChoice.Choose(c, view, conn, At(args, 1)));
            case CommandKind.Unwatch:
                return c.OneOf(UnwatchTable, (view, vocab, conn), want, Unwatch);
            case CommandKind.TransactionStart or CommandKind.ResetWatches:
                return "";
            case CommandKind.TransactionEnd:
                return Join(TransactionEndChoice.Choose(c, At(args, 0)));
            case CommandKind.Introduce:
                return IntroduceChoice.Choose(c, view, args);
            case CommandKind.Release:
                return Join(DomidChoice.Choose(c, view, DomidChoice.ForRelease, At(args, 0)));
            case CommandKind.GetDomainPath or CommandKind.IsDomainIntroduced or CommandKind.Resume:
                return Join(DomidChoice.Choose(c, view, At(args, 0)));
            case CommandKind.SetTarget:
                return Join(DomidChoice.Choose(c, view, At(args, 0)), DomidChoice.Choose(c, view, At(args, 1)));
            case CommandKind.Control:
                return Join([.. ControlChoice.Choose(c, view, args)]);
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    /// <summary>
    /// Copy number <paramref name="copy"/> (1, 2, ...) of a repeated request <paramref name="source"/>:
    /// the same request, except that a WATCH's token gets the copy's number appended (the same WATCH
    /// again would only be refused), so that repeating a WATCH puts many watches on one path.
    /// </summary>
    public static Command Copy(Command source, int copy)
    {
        if (source is not RequestCommand { Type: (uint)Xenstore.Wire.Op.Watch } watch || Split(watch.Payload) is not [var path, var token])
            return source;
        return watch with { Payload = Join(path, token + copy.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
    }

    /// <summary>The connections without the listener, when there is one (it never sends nor is drained).</summary>
    private static IReadOnlyList<ConnectionId> Audible(IReadOnlyList<ConnectionId> connections, bool quiet)
    {
        if (!quiet || !Contains(connections, Scenario.ListenerSocket)) return connections;
        var list = new List<ConnectionId>(connections.Count - 1);
        foreach (var id in connections)
        {
            if (id != Scenario.ListenerSocket) list.Add(id);
        }
        return list;
    }

    private static bool Contains(IReadOnlyList<ConnectionId> connections, ConnectionId id)
    {
        foreach (var candidate in connections)
        {
            if (candidate == id) return true;
        }
        return false;
    }

    private static IReadOnlyList<ConnectionId> SendersFor(CommandKind kind, LiveView view) => kind switch
    {
        CommandKind.TransactionEnd => view.ConnectionsWithTransactions,
        CommandKind.Unwatch => view.ConnectionsWithWatches,
        _ => view.Connections,
    };

    private static WeightTable PathTable(CommandKind kind) =>
        kind == CommandKind.Mkdir ? PathChoice.ForCreate : PathChoice.ForExisting;

    private static WeightTable TxTable(CommandKind kind) => kind switch
    {
        CommandKind.TransactionStart => TxChoice.ForStart,
        CommandKind.TransactionEnd => TxChoice.ForEnd,
        _ => TxChoice.ForOthers,
    };

    // UNWATCH mostly names a registered watch exactly as it was given (path and token).
    private static readonly WeightTable UnwatchTable = new(176, 80);

    private static string Unwatch(Choices c, (LiveView View, Vocabulary Vocab, ConnectionId Conn) s, string? want, int alt)
    {
        var args = Split(want);
        if (alt == 0)
        {
            var watches = s.View.Watches(s.Conn);
            if (watches.Count == 0) return Join("/", "");
            var watch = c.Pick(watches, args is null ? null : new WatchInfo(At(args, 0)!, At(args, 1)!));
            return Join(watch.Path, watch.Token);
        }
        return Join(PathChoice.Choose(c, s.View, s.Vocab, s.Conn, PathChoice.Table, At(args, 0)),
            TokenChoice.Choose(c, s.View, s.Conn, At(args, 1)));
    }

    // Raw requests: any op number (the defined ones, unused ones, far-off ones) with any payload.
    private static readonly WeightTable RawTypeTable = new(224, 32);

    private static uint RawType(Choices c, int _, uint want, int alt) =>
        alt == 0 ? c.Pick(Vocabulary.RawTypes, want) : c.Varint(want);
}

