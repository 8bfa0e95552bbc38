using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>How a read of one connection ended.</summary>
public enum Ending
{
    /// <summary>Everything the step caused was read (a real daemon's sync point came back).</summary>
    Complete,
    /// <summary>Nothing more arrived within the reply timeout.</summary>
    Timeout,
    /// <summary>The daemon closed the connection (or it was closed before).</summary>
    Closed,
    /// <summary>The target itself threw (a bug of the model, or of the runner): see the failure text.</summary>
    Threw,
}

/// <summary>
/// The packets one connection's client read at one step (replies and watch events, in arrival order),
/// and how the read ended. Two deliveries are equal when both are, byte for byte; the failure text of a
/// target that threw is kept for the report and does not take part.
/// </summary>
public sealed record Delivery(IReadOnlyList<Packet> Packets, Ending Ending, string? Failure = null)
{
    public static Delivery ClosedEmpty { get; } = new([], Ending.Closed);

    /// <summary>A complete read that found nothing (most drains).</summary>
    public static Delivery NothingQueued { get; } = new([], Ending.Complete);

    public static Delivery Threw(Exception e) => new([], Ending.Threw, e.GetType().FullName + ": " + e.Message + "\n" + e.StackTrace);

    public bool Equals(Delivery? other)
    {
        if (other is null || Ending != other.Ending || Packets.Count != other.Packets.Count) return false;
        for (var i = 0; i < Packets.Count; i++)
        {
            if (!Packets[i].Equals(other.Packets[i])) return false;
        }
        return true;
    }

    public override int GetHashCode() => HashCode.Combine(Ending, Packets.Count);
}
