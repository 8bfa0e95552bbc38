using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// One side of a comparison: a real daemon, or the model behind the same four socket slots
/// (<see cref="Mapping.Slots"/>). Both sides get identical packets.
/// </summary>
public interface ITarget : IDisposable
{
    /// <summary>E.g. "A (live-updated oxenstored)", "model".</summary>
    string Label { get; }

    /// <summary>
    /// Sends a request on a slot and returns what that slot's client then reads: every packet the
    /// daemon queued for it up to and including the consequences of this request (replies and watch
    /// events), i.e. what the model's TakeOutput gives right after the request.
    /// </summary>
    Delivery Exchange(int slot, Packet request);

    /// <summary>Everything queued for the slot so far.</summary>
    Delivery Drain(int slot);

    /// <summary>Performs a live update and waits until it is over (or refused, or failed).</summary>
    LiveUpdateResult LiveUpdate();

    /// <summary>Null while the side is alive; else why it died, without values (see DaemonProcess.DeathNote).</summary>
    string? DeathNote();

    /// <summary>Status and recent output, for a report (empty when there is nothing to say).</summary>
    string Diagnostics();
}
