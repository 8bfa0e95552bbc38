using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>
/// One side of a <see cref="PairRun"/>: the model, or a real daemon (black box or instrumented). Small on
/// purpose: send a packet, read what a connection received, live update, walk the tree. Everything
/// else (decoding, comparing, signatures, shrinking, reports) is written once above the targets.
/// </summary>
public interface ITarget : IDisposable
{
    /// <summary>What reports call it, e.g. "model", "oxenstored".</summary>
    string Label { get; }

    /// <summary>The scenario connections this target has open (dom0, the sockets, introduced domUs).</summary>
    IReadOnlyList<ConnectionId> Connections { get; }

    /// <summary>
    /// Sends a request from a scenario connection and returns what that connection's client then reads:
    /// every packet queued for it up to and including the consequences of this request (replies and
    /// watch events), i.e. what the model's TakeOutput gives right after the request.
    /// </summary>
    Delivery Exchange(ConnectionId connection, Packet request);

    /// <summary>Everything queued for the connection so far.</summary>
    Delivery Drain(ConnectionId connection);

    /// <summary>The connection's client writes the first bytes of a request and reads nothing (a request in flight).</summary>
    void SendPart(ConnectionId connection, byte[] bytes);

    /// <summary>
    /// The client writes <paramref name="rest"/>, the rest of its unfinished request, then
    /// <paramref name="request"/> if there is one, and reads what <see cref="Exchange"/> (or, without a
    /// request, <see cref="Drain"/>) reads: the unfinished request's reply comes first.
    /// </summary>
    Delivery Complete(ConnectionId connection, byte[] rest, Packet? request);

    /// <summary>Performs a live update and waits until it is over (or refused, or failed).</summary>
    LiveUpdateResult LiveUpdate();

    /// <summary>The tree as a client sees it (<see cref="StateWalk"/>), through a connection the scenario never uses.</summary>
    string Walk();

    /// <summary>Null while the target is alive; else why it died, without values.</summary>
    string? DeathNote();

    /// <summary>Status and recent output, for a report (empty when there is nothing to say).</summary>
    string Diagnostics();
}
