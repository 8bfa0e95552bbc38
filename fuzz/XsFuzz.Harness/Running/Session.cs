using System.Globalization;
using XsFuzz.Harness.Generation;
using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>
/// The two daemons of one run. B, the reference, ignores live updates; A performs each one. Until the
/// first live update A would be an exact copy of B (the model is deterministic), so A is only created
/// there, as B's live-updated copy: that halves the cost of every step before it. Once A exists, every
/// step is applied to both and compared; the first disagreement is returned as a <see cref="Divergence"/>
/// and the session continues with B alone (so the decoder can still read the rest of the scenario).
/// Output draining: after a request only the sender's queue is read (a client reads its own socket);
/// other connections' events wait in their queues, across live updates (they are part of the state
/// snapshot), until a DRAIN, that connection's own next request, or the end drains them.
/// </summary>
public sealed class Session
{
    private readonly LiveUpdateFault _fault;
    private bool _checking;
    private Xenstored? _a;
    private uint _requestId;
    private RunStats _stats;

    public Session(HarnessOptions options, LiveUpdateFault fault, bool check)
    {
        _fault = fault;
        _checking = check;
        Reference = new Xenstored(options.Config);
        for (var i = 0; i < Scenario.Sockets; i++) Reference.OpenSocket();
        View = new LiveView(Reference);
    }

    /// <summary>Instance B: what every choice is made against.</summary>
    public Xenstored Reference { get; }

    internal LiveView View { get; }

    public RunStats Stats => _stats;

    /// <summary>Whether a divergence was already found (A is then gone).</summary>
    public bool Diverged { get; private set; }

    public void ApplyDomain(DomainSetup domain)
    {
        var d = domain.Domid.ToString(CultureInfo.InvariantCulture);
        SetupRequest(Op.Introduce, d, DomainSetup.MfnOf(domain.Domid).ToString(CultureInfo.InvariantCulture),
            DomainSetup.PortOf(domain.Domid).ToString(CultureInfo.InvariantCulture));
        if (domain.Target is { } target) SetupRequest(Op.SetTarget, d, target.ToString(CultureInfo.InvariantCulture));
    }

    public void ApplyNode(NodeSetup node)
    {
        Send(Reference, Xenstored.Dom0, new Packet((uint)Op.Write, ++_requestId, 0, Latin1.Encode(node.Path + "\0" + node.Value)));
        if (node.Perms.Count > 0) SetupRequest(Op.SetPerms, [node.Path, .. node.Perms]);
        Reference.TakeOutput(Xenstored.Dom0);
        View.Invalidate();
    }

    private void SetupRequest(Op op, params string[] args)
    {
        Send(Reference, Xenstored.Dom0, Packet.Request(op, ++_requestId, 0, args));
        Reference.TakeOutput(Xenstored.Dom0);
        View.Invalidate();
    }

    /// <summary>After the setup: whatever the setup queued anywhere is read and forgotten.</summary>
    public void FinishSetup()
    {
        foreach (var id in Reference.Connections) Reference.TakeOutput(id);
        View.Invalidate();
    }

    /// <summary>Runs one command (1-based step number); null when both instances agree.</summary>
    public Divergence? Execute(Command command, int step)
    {
        _stats.Commands++;
        try
        {
            return command switch
            {
                RequestCommand r => Request(r, step),
                LiveUpdateCommand => LiveUpdate(step),
                DrainCommand d => Drain(d, step),
                _ => throw new ArgumentException("unknown command " + command.GetType().Name, nameof(command)),
            };
        }
        finally
        {
            View.Invalidate();
        }
    }

    private Divergence? Request(RequestCommand r, int step)
    {
        var packet = new Packet(r.Type, ++_requestId, r.Tx, Latin1.Encode(r.Payload));
        Send(Reference, r.Connection, packet);
        var replyB = Reference.TakeOutput(r.Connection);
        if (_a is null) return null;
        IReadOnlyList<Packet> replyA;
        try
        {
            Send(_a, r.Connection, packet);
            replyA = _a.TakeOutput(r.Connection);
        }
        catch (Exception e)
        {
            return Fail(CheckPoint.Reply, step, r, r.Connection, null, replyB, Threw(e),
                $"reply to {OpNames.Name(r.Type)}: live-updated instance threw {e.GetType().Name}");
        }
        if (PacketComparison.Equal(replyA, replyB)) return null;
        return Fail(CheckPoint.Reply, step, r, r.Connection, replyA, replyB, null,
            $"reply to {OpNames.Name(r.Type)}: {PacketComparison.Shape(replyA, replyB)}");
    }

    private Divergence? LiveUpdate(int step)
    {
        if (!_checking) return null;
        _stats.LiveUpdates++;
        foreach (var id in View.Connections)
        {
            if (Reference.OpenTransactions(id).Count == 0) continue;
            _stats.LiveUpdatesWithOpenTransactions++;
            break;
        }
        string snapshotA;
        try
        {
            _a = (_a ?? Reference).LiveUpdate(_fault);
            // The field-by-field comparison is the hot path; text is rendered only to explain a difference.
            if (StateComparer.Same(_a, Reference)) return null;
            snapshotA = StateSnapshot.Of(_a).Text;
        }
        catch (Exception e)
        {
            return Fail(CheckPoint.LiveUpdate, step, LiveUpdateCommand.Instance, null, null, null, Threw(e),
                $"live update: threw {e.GetType().Name}");
        }
        var snapshotB = StateSnapshot.Of(Reference).Text;
        return Fail(CheckPoint.LiveUpdate, step, LiveUpdateCommand.Instance, null, null, null, null,
            "live update: state differs in " + SnapshotDiff.Shape(snapshotA, snapshotB), snapshotA, snapshotB);
    }

    private Divergence? Drain(DrainCommand d, int step)
    {
        var packetsB = Reference.TakeOutput(d.Connection);
        if (_a is null) return null;
        var packetsA = _a.TakeOutput(d.Connection);
        if (PacketComparison.Equal(packetsA, packetsB)) return null;
        return Fail(CheckPoint.Drain, step, d, d.Connection, packetsA, packetsB, null,
            "drain: " + PacketComparison.Shape(packetsA, packetsB));
    }

    /// <summary>
    /// The end of the scenario (step = commands + 1): the states must be equal, then every connection's
    /// remaining output. Null when both agree (always, if no live update happened).
    /// </summary>
    public Divergence? Finish(int step)
    {
        if (_a is null) return null;
        string? snapshotA = null;
        try
        {
            if (!StateComparer.Same(_a, Reference)) snapshotA = StateSnapshot.Of(_a).Text;
        }
        catch (Exception e)
        {
            return Fail(CheckPoint.FinalState, step, null, null, null, null, Threw(e), $"end: snapshot threw {e.GetType().Name}");
        }
        if (snapshotA is not null)
        {
            var snapshotB = StateSnapshot.Of(Reference).Text;
            return Fail(CheckPoint.FinalState, step, null, null, null, null, null,
                "end: state differs in " + SnapshotDiff.Shape(snapshotA, snapshotB), snapshotA, snapshotB);
        }
        foreach (var id in Reference.Connections)
        {
            var packetsB = Reference.TakeOutput(id);
            var packetsA = _a.TakeOutput(id);
            if (!PacketComparison.Equal(packetsA, packetsB))
                return Fail(CheckPoint.FinalDrain, step, null, id, packetsA, packetsB, null,
                    "end drain: " + PacketComparison.Shape(packetsA, packetsB));
        }
        return null;
    }

    private Divergence Fail(CheckPoint point, int step, Command? command, ConnectionId? connection,
        IReadOnlyList<Packet>? packetsA, IReadOnlyList<Packet>? packetsB, string? failure, string signature,
        string? snapshotA = null, string? snapshotB = null)
    {
        if (snapshotA is null && _a is not null)
        {
            try { snapshotA = StateSnapshot.Of(_a).Text; }
            catch (Exception e) { snapshotA = "(snapshot of the live-updated instance threw " + e.GetType().Name + ": " + e.Message + ")"; }
        }
        snapshotB ??= StateSnapshot.Of(Reference).Text;
        Diverged = true;
        _checking = false;
        _a = null;
        return new Divergence(point, step, command, connection, packetsA, packetsB, snapshotA, snapshotB, failure, signature);
    }

    private static string Threw(Exception e) => e.GetType().FullName + ": " + e.Message + "\n" + e.StackTrace;

    private static void Send(Xenstored daemon, ConnectionId id, Packet packet) => daemon.Handle(id, packet);
}
