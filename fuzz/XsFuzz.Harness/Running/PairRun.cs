using XsFuzz.Harness.Generation;
using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>
/// One scenario on two targets, step by step: the property that a live update is invisible. The updated
/// target performs the scenario's live updates, the reference does not (or, in <see cref="PairMode.Diff"/>,
/// follows them); after every request the sender's delivery must be the same on both, after every live
/// update and at the end the states must be the same (<see cref="StateCheck"/>), and at the end so must
/// everything still queued. The first disagreement is returned as a <see cref="Divergence"/>; the run then
/// carries on with the reference alone, so that a decoder driving it can still read the rest of its input.
/// The pair does not own its targets: whoever made them disposes them.
/// </summary>
/// <remarks>
/// A model pair has no updated target until the first live update: until then it would be an exact copy
/// of the reference (the model is deterministic), so it is made there as the reference's live-updated
/// copy, which halves the cost of every step before it. A pair without an updated target and without a
/// way to make one is the reference alone: what the decoder and encoder make their choices against.
/// </remarks>
public sealed class PairRun
{
    private readonly ITarget _reference;
    private readonly ModelTarget? _referenceModel;
    private readonly PairMode _mode;
    private readonly StateCheck _states;
    private Func<ITarget>? _makeUpdated;
    private ITarget? _updated;
    private uint _requestId;
    private bool _updatedOnce;
    // The rest of each connection's unfinished request (PARTIAL), written before its next request or drain.
    private readonly Dictionary<ConnectionId, byte[]> _unfinished = [];
    private bool _anyPartial;
    // A guest's step went unanswered on both sides (see Signatures.AfterUnanswered).
    private bool _unansweredRing;

    public PairRun(ITarget updated, ITarget reference, PairMode mode, StateCheck states)
        : this(reference, mode, states, null) => _updated = updated;

    private PairRun(ITarget reference, PairMode mode, StateCheck states, Func<ITarget>? makeUpdated)
    {
        _reference = reference;
        _referenceModel = reference as ModelTarget;
        _mode = mode;
        _states = states;
        _makeUpdated = makeUpdated;
    }

    /// <summary>Two models, the updated one made at the first live update (with the planted fault).</summary>
    public static PairRun Models(XenstoredConfig config, LiveUpdateFault fault)
    {
        var reference = new ModelTarget(config, fault);
        return new PairRun(reference, PairMode.LiveUpdate, StateCheck.Models, reference.LiveUpdatedCopy);
    }

    /// <summary>The reference model alone: live updates are ignored, nothing is compared.</summary>
    public static PairRun ReferenceOnly(XenstoredConfig config) =>
        new(new ModelTarget(config), PairMode.LiveUpdate, StateCheck.Models, null);

    public RunStats Stats { get; } = new();

    /// <summary>Whether a divergence was found (the run then goes on with the reference alone).</summary>
    public bool Diverged { get; private set; }

    /// <summary>The reference model's state as the lists choices index into (model references only).</summary>
    internal LiveView View => _referenceModel?.View
        ?? throw new InvalidOperationException("choices are made against a model reference");

    /// <summary>Runs a whole scenario; the first divergence, or null.</summary>
    public Divergence? Run(Scenario scenario)
    {
        foreach (var domain in scenario.Domains)
        {
            if (ApplyDomain(domain) is { } d) return d;
        }
        foreach (var node in scenario.Nodes)
        {
            if (ApplyNode(node) is { } d) return d;
        }
        if (ApplyListener(scenario.Listener) is { } l) return l;
        FinishSetup();
        for (var step = 1; step <= scenario.Commands.Count; step++)
        {
            if (Execute(scenario.Commands[step - 1], step) is { } d) return d;
        }
        return Finish(scenario.Commands.Count + 1);
    }

    public Divergence? ApplyDomain(DomainSetup domain) => Setup(ScenarioSetup.Requests(domain, NextId));

    public Divergence? ApplyNode(NodeSetup node) => Setup(ScenarioSetup.Requests(node, NextId));

    public Divergence? ApplyListener(int watches) =>
        watches == 0 ? null : Setup(ScenarioSetup.ListenerRequests(watches, NextId), Scenario.ListenerSocket);

    /// <summary>The setup is over: the scenario starts (kept for the decoder's rhythm; nothing is queued).</summary>
    public void FinishSetup() => Stats.Scenarios++;

    private Divergence? Setup(IEnumerable<Packet> requests) => Setup(requests, Xenstored.Dom0);

    private Divergence? Setup(IEnumerable<Packet> requests, ConnectionId sender)
    {
        foreach (var packet in requests)
        {
            var reference = _reference.Exchange(sender, packet);
            if (_updated is null) continue;
            if (Compare(CheckPoint.Setup, 0, null, sender, _updated.Exchange(sender, packet), reference,
                    packet.Type) is { } d) return d;
        }
        return null;
    }

    /// <summary>Runs one command (1-based step number); null when both targets agree.</summary>
    public Divergence? Execute(Command command, int step)
    {
        Stats.Commands++;
        return command switch
        {
            RequestCommand r => Request(r, step),
            LiveUpdateCommand => LiveUpdate(step),
            DrainCommand d => Drain(d, d.Connection, step),
            PartialCommand p => Partial(p, step),
            _ => throw new ArgumentException("unknown command " + command.GetType().Name, nameof(command)),
        };
    }

    private Divergence? Request(RequestCommand r, int step)
    {
        var packet = new Packet(r.Type, NextId(), r.Tx, Latin1.Encode(r.Payload));
        if (_unfinished.Remove(r.Connection, out var rest))
        {
            var completed = _reference.Complete(r.Connection, rest, packet);
            return _updated is null ? null
                : Compare(CheckPoint.Reply, step, r, r.Connection, _updated.Complete(r.Connection, rest, packet), completed);
        }
        var reference = _reference.Exchange(r.Connection, packet);
        if (_updated is null) return null;
        return Compare(CheckPoint.Reply, step, r, r.Connection, _updated.Exchange(r.Connection, packet), reference);
    }

    /// <summary>A DRAIN, or what a command of a connection with an unfinished request does first: the rest is written, then everything read.</summary>
    private Divergence? Drain(Command command, ConnectionId connection, int step)
    {
        if (!_unfinished.Remove(connection, out var rest))
            return Compare(CheckPoint.Drain, step, command, connection, _updated?.Drain(connection), _reference.Drain(connection));
        var reference = _reference.Complete(connection, rest, null);
        return Compare(CheckPoint.Drain, step, command, connection, _updated?.Complete(connection, rest, null), reference);
    }

    /// <summary>The first bytes of a request; the connection's unfinished one, if any, is finished first.</summary>
    private Divergence? Partial(PartialCommand p, int step)
    {
        var connection = p.Request.Connection;
        if (!_anyPartial) Stats.ScenariosWithPartial++;
        _anyPartial = true;
        if (_unfinished.ContainsKey(connection) && Drain(p, connection, step) is { } d) return d;
        var bytes = p.Wire(NextId());
        var first = bytes[..p.Bytes];
        _reference.SendPart(connection, first);
        _updated?.SendPart(connection, first);
        _unfinished[connection] = bytes[p.Bytes..];
        return null;
    }

    private Divergence? LiveUpdate(int step)
    {
        if (_updated is null && _makeUpdated is null) return null;
        CountOpenTransactions();
        CountQueued();
        if (_unfinished.Count > 0 && _referenceModel is { } model && _unfinished.Keys.Any(model.Daemon.HasPartialInput))
            Stats.LiveUpdatesWithPartialInput++;
        LiveUpdateResult result;
        if (_updated is null)
        {
            try
            {
                _updated = _makeUpdated!();
                result = LiveUpdateResult.Done;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                result = LiveUpdateResult.Threw(e);
            }
        }
        else result = _updated.LiveUpdate();
        if (result.Status == LiveUpdateStatus.Refused)
        {
            Stats.Refused[result.Reason] = Stats.Refused.GetValueOrDefault(result.Reason) + 1;
            return null;
        }
        if (result.Status == LiveUpdateStatus.Done && _mode == PairMode.Diff)
        {
            var followed = _reference.LiveUpdate();
            if (followed.Status != LiveUpdateStatus.Done)
                return Fail(CheckPoint.LiveUpdate, step, LiveUpdateCommand.Instance, Signatures.ReferenceUpdateFailed(followed.Reason), followed.Detail);
        }
        if (result.Status == LiveUpdateStatus.Failed)
            return Fail(CheckPoint.LiveUpdate, step, LiveUpdateCommand.Instance, Signatures.UpdateFailed(result.Reason),
                (result.Detail + "\n" + (_updated?.Diagnostics() ?? "")).Trim());
        _updatedOnce = true;
        Stats.LiveUpdates++;
        return CompareStates(CheckPoint.LiveUpdateState, step, LiveUpdateCommand.Instance);
    }

    private void CountOpenTransactions()
    {
        if (_referenceModel is null) return;
        var daemon = _referenceModel.Daemon;
        foreach (var id in daemon.Connections)
        {
            if (!daemon.HasOpenTransactions(id)) continue;
            Stats.LiveUpdatesWithOpenTransactions++;
            return;
        }
    }

    /// <summary>How deep the reference's output queues are at this dump (model references only).</summary>
    private void CountQueued()
    {
        if (_referenceModel is null) return;
        var daemon = _referenceModel.Daemon;
        int total = 0, deepest = 0;
        foreach (var id in daemon.Connections)
        {
            var depth = daemon.PendingOutput(id);
            total += depth;
            deepest = Math.Max(deepest, depth);
        }
        Stats.NoteDump(total, deepest);
    }

    /// <summary>
    /// The end of the scenario (step = commands + 1): the states must be the same, then what is still
    /// queued for every connection. Null when both agree (always, when no live update happened).
    /// </summary>
    public Divergence? Finish(int step)
    {
        if (_updated is null) return null;
        if (CompareStates(CheckPoint.FinalState, step, null) is { } state) return state;
        // Only the connections both sides serve: in `real diff` the model has domU rings that the real
        // daemon's runner does not read.
        var served = _updated.Connections;
        foreach (var id in _reference.Connections)
        {
            if (!served.Contains(id)) continue;
            var left = _unfinished.Remove(id, out var rest)
                ? Compare(CheckPoint.FinalDrain, step, null, id, _updated.Complete(id, rest, null), _reference.Complete(id, rest, null))
                : Compare(CheckPoint.FinalDrain, step, null, id, _updated.Drain(id), _reference.Drain(id));
            if (left is not null) return left;
        }
        return null;
    }

    /// <param name="setupType">The setup request's op (setup only).</param>
    private Divergence? Compare(CheckPoint point, int step, Command? command, ConnectionId connection, Delivery? updated,
        Delivery reference, uint setupType = 0)
    {
        if (updated is null) return null;
        if (updated.Equals(reference))
        {
            if (connection.Kind == ConnectionKind.Ring && updated.Ending == Ending.Timeout) _unansweredRing = true;
            return null;
        }
        // Named only now: the hot path (deliveries that agree) builds no text.
        var what = point switch
        {
            CheckPoint.Setup => "setup " + OpNames.Name(setupType),
            CheckPoint.Reply => "reply to " + StepNames.Of((RequestCommand)command!),
            CheckPoint.Drain => "drain" + StepNames.OfConnection(connection),
            _ => "end drain" + StepNames.OfConnection(connection),
        };
        var shape = Death(updated, reference) ?? Tagged(what + ": " + DeliveryShape.Describe(updated, reference));
        return Diverge(new Divergence(point, step, command, connection, updated, reference, null, null,
            updated.Failure ?? reference.Failure, Signature(shape)));
    }

    /// <summary>When a side's connection broke because its daemon died, the death is the finding, whatever the step.</summary>
    private string? Death(Delivery updated, Delivery reference)
    {
        if (updated.Ending is Ending.Complete or Ending.Threw && reference.Ending is Ending.Complete or Ending.Threw) return null;
        if (_updated?.DeathNote() is { } noteU) return Signatures.Died("A", noteU);
        if (_reference.DeathNote() is { } noteR) return Signatures.Died("B", noteR);
        return null;
    }

    private Divergence? CompareStates(CheckPoint point, int step, Command? command)
    {
        if (_states.Compare(_updated!, _reference) is not { } difference) return null;
        var what = point == CheckPoint.FinalState ? Signatures.EndState : Signatures.UpdateState;
        return Diverge(new Divergence(point, step, command, null, null, null, difference.Updated, difference.Reference,
            difference.Failure, Signature(Tagged(what + difference.Shape))));
    }

    /// <summary>A failed update is its own event: no "no live update done yet" prefix.</summary>
    private Divergence Fail(CheckPoint point, int step, Command command, string what, string detail) =>
        Diverge(new Divergence(point, step, command, null, null, null, null, null, detail,
            _mode == PairMode.Diff && _updatedOnce ? Signatures.AfterUpdate(what) : what));

    private string Signature(string shape) => _mode == PairMode.LiveUpdate
        ? (_updatedOnce ? shape : Signatures.BeforeAnyUpdate(shape))
        : (_updatedOnce ? Signatures.AfterUpdate(shape) : shape);

    /// <summary>A difference (not a death: that is the finding, whatever came before) after an unanswered guest step says so.</summary>
    private string Tagged(string shape) => _unansweredRing ? Signatures.AfterUnanswered(shape) : shape;

    private Divergence Diverge(Divergence divergence)
    {
        Diverged = true;
        _updated = null;
        _makeUpdated = null;
        return divergence;
    }

    private uint NextId() => ++_requestId;
}
