using System.Globalization;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// Runs one mapped scenario on two sides and stops at the first disagreement.
/// <list type="bullet">
/// <item>lu: A and B are fresh daemons of one kind; A performs each LIVE-UPDATE (and the runner waits
/// until it is over), B does nothing.</item>
/// <item>diff: A is the real daemon, B the model; a LIVE-UPDATE is done on the real daemon first and,
/// if it happened, on the model too (a refused one is skipped on both).</item>
/// </list>
/// Compared: every step's delivery, the trees (walked) after each live update that happened and at the
/// end, and what is left queued at the end. A refused update is not a disagreement: it is a known
/// behaviour of the real daemons (oxenstored waits for open transactions, unread output and SET_TARGET
/// connections; the C daemon for open transactions), counted by reason in the stats.
/// </summary>
public sealed class PairRun
{
    private readonly ITarget _a;
    private readonly ITarget _b;
    private readonly RunMode _mode;
    private readonly StateWalk _walk;
    private uint _requestId;
    private uint _walkId = SyncPoint.RunnerIds + 0x4_0000;
    private bool _updated;
    // oxenstored refuses to update while a domain connection has SET_TARGET permissions, and nothing
    // but INTRODUCE, RELEASE or another SET_TARGET changes those: until one of them runs, a new attempt
    // would only wait out its second and be refused again, so it is counted as refused without trying.
    private bool _blockedByTarget;

    public PairRun(ITarget a, ITarget b, RunMode mode)
    {
        _a = a;
        _b = b;
        _mode = mode;
        _walk = new StateWalk(() => _walkId++);
    }

    public RealRunStats Stats { get; } = new();

    public RealDivergence? Run(Scenario scenario)
    {
        Stats.Scenarios++;
        if (Setup(scenario) is { } setup) return setup;
        for (var step = 1; step <= scenario.Commands.Count; step++)
        {
            Stats.Commands++;
            var divergence = scenario.Commands[step - 1] switch
            {
                RequestCommand r => Request(step, r),
                DrainCommand d => Compare(RealCheckPoint.Drain, step, d, Slots.Of(d.Connection)!.Value,
                    _a.Drain(Slots.Of(d.Connection)!.Value), _b.Drain(Slots.Of(d.Connection)!.Value), "drain"),
                LiveUpdateCommand => LiveUpdate(step),
                var other => throw new ArgumentException("unknown command " + other.GetType().Name, nameof(scenario)),
            };
            if (divergence is not null) return divergence;
        }
        var end = scenario.Commands.Count + 1;
        if (CompareWalks(RealCheckPoint.FinalState, end, null, "end: state differs in ") is { } state) return state;
        foreach (var slot in new[] { Slots.A1, Slots.A2, Slots.Dom0 })
        {
            if (Compare(RealCheckPoint.FinalDrain, end, null, slot, _a.Drain(slot), _b.Drain(slot), "end drain") is { } left) return left;
        }
        return null;
    }

    /// <summary>What the model's harness does before the commands, through dom0 (here its socket).</summary>
    private RealDivergence? Setup(Scenario scenario)
    {
        foreach (var domain in scenario.Domains)
        {
            var d = Int(domain.Domid);
            if (SetupRequest(Packet.Request(Op.Introduce, ++_requestId, 0, d, Int(DomainSetup.MfnOf(domain.Domid)), Int(DomainSetup.PortOf(domain.Domid)))) is { } x) return x;
            if (domain.Target is { } target && SetupRequest(Packet.Request(Op.SetTarget, ++_requestId, 0, d, Int(target))) is { } y) return y;
        }
        foreach (var node in scenario.Nodes)
        {
            if (SetupRequest(new Packet((uint)Op.Write, ++_requestId, 0, Latin1.Encode(node.Path + "\0" + node.Value))) is { } x) return x;
            if (node.Perms.Count > 0 && SetupRequest(Packet.Request(Op.SetPerms, ++_requestId, 0, [node.Path, .. node.Perms])) is { } y) return y;
        }
        return null;
    }

    private RealDivergence? SetupRequest(Packet packet) =>
        Compare(RealCheckPoint.Setup, 0, null, Slots.Dom0, _a.Exchange(Slots.Dom0, packet), _b.Exchange(Slots.Dom0, packet),
            "setup " + OpNames.Name(packet.Type));

    private RealDivergence? Request(int step, RequestCommand r)
    {
        if (r.Type is (uint)Op.Introduce or (uint)Op.Release or (uint)Op.SetTarget) _blockedByTarget = false;
        var slot = Slots.Of(r.Connection)!.Value;
        var packet = new Packet(r.Type, ++_requestId, r.Tx, Latin1.Encode(r.Payload));
        return Compare(RealCheckPoint.Reply, step, r, slot, _a.Exchange(slot, packet), _b.Exchange(slot, packet), "reply to " + StepNames.Of(r));
    }

    private RealDivergence? LiveUpdate(int step)
    {
        if (_blockedByTarget)
        {
            Refused(SetTargetAgain);
            return null;
        }
        var result = Guard(_a.LiveUpdate);
        if (result.Status == LiveUpdateStatus.Refused)
        {
            Refused(result.Reason);
            _blockedByTarget = result.Reason.Contains(OxenstoredLiveUpdate.SetTargetReason, StringComparison.Ordinal);
            return null;
        }
        if (result.Status == LiveUpdateStatus.Done && _mode == RunMode.Diff)
        {
            // The real daemon updated: the model does the same. (It never refuses: the model carries
            // open transactions over, which is the property the model harness checks.)
            result = Guard(_b.LiveUpdate);
            if (result.Status != LiveUpdateStatus.Done) return Fail(step, "model live update failed: " + result.Reason, result.Detail);
        }
        if (result.Status == LiveUpdateStatus.Failed)
            return Fail(step, "live update failed: " + result.Reason, result.Detail + "\n" + _a.Diagnostics());
        _updated = true;
        Stats.LiveUpdatesDone++;
        return CompareWalks(RealCheckPoint.LiveUpdateState, step, LiveUpdateCommand.Instance, "live update: state differs in ");
    }

    /// <summary>The stats' name for an attempt skipped because SET_TARGET permissions still block it.</summary>
    public const string SetTargetAgain = "SET_TARGET permissions (still; not retried)";

    private void Refused(string reason) => Stats.LiveUpdatesRefused[reason] = Stats.LiveUpdatesRefused.GetValueOrDefault(reason) + 1;

    private static LiveUpdateResult Guard(Func<LiveUpdateResult> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new LiveUpdateResult(LiveUpdateStatus.Failed, "threw " + e.GetType().Name, e.ToString());
        }
    }

    /// <summary>A failed update is its own event: no "no live update done yet" prefix.</summary>
    private RealDivergence Fail(int step, string what, string detail) =>
        new(RealCheckPoint.LiveUpdate, step, LiveUpdateCommand.Instance, null, null, null, null, null, detail,
            _mode == RunMode.Diff && _updated ? what + " (after a live update)" : what);

    private RealDivergence? Compare(RealCheckPoint point, int step, Command? command, int slot, Delivery a, Delivery b, string what)
    {
        if (a.Equals(b)) return null;
        return new RealDivergence(point, step, command, slot, a, b, null, null, null,
            Signature(Death(a, b) ?? what + ": " + DeliveryShape.Describe(a, b)));
    }

    /// <summary>
    /// When a side's connection broke because its daemon died, the death is the finding, whatever the
    /// step: the signature names the daemon's last words (e.g. an assertion), so one crash is one group.
    /// </summary>
    private string? Death(Delivery a, Delivery b)
    {
        if (a.Ending == Ending.Complete && b.Ending == Ending.Complete) return null;
        if (_a.DeathNote() is { } noteA) return "A died: " + noteA;
        if (_b.DeathNote() is { } noteB) return "B died: " + noteB;
        return null;
    }

    private RealDivergence? CompareWalks(RealCheckPoint point, int step, Command? command, string what)
    {
        var walkA = _walk.Run(_a);
        var walkB = _walk.Run(_b);
        if (walkA == walkB) return null;
        return new RealDivergence(point, step, command, null, null, null, walkA, walkB, null,
            Signature(what + WalkShape.Describe(walkA, walkB)));
    }

    /// <summary>
    /// lu: a disagreement before any update happened means the daemons are not deterministic (or the
    /// refused attempt was visible), so it says so. diff: it says whether the model had been updated.
    /// </summary>
    private string Signature(string shape) => _mode == RunMode.LiveUpdate
        ? (_updated ? shape : "no live update done yet: " + shape)
        : (_updated ? shape + " (after a live update)" : shape);

    private static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
