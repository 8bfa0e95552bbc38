using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Wire;

/// <summary>How a read of one connection ended.</summary>
public enum Ending
{
    /// <summary>The runner's sync point came back: everything queued before it was read.</summary>
    Complete,
    /// <summary>Nothing more arrived within the reply timeout.</summary>
    Timeout,
    /// <summary>The daemon closed the connection (or it was closed before).</summary>
    Closed,
}

/// <summary>
/// The packets one connection's client read at one step (replies and watch events, in arrival order),
/// and how the read ended. Two deliveries are equal when both are byte for byte.
/// </summary>
public sealed record Delivery(IReadOnlyList<Packet> Packets, Ending Ending)
{
    public static Delivery ClosedEmpty { get; } = new([], Ending.Closed);

    public bool Equals(Delivery? other) =>
        other is not null && Ending == other.Ending && Packets.SequenceEqual(other.Packets);

    public override int GetHashCode() => HashCode.Combine(Ending, Packets.Count);
}
