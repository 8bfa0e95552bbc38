using System.Globalization;

namespace XsFuzz.Xenstore.Domains;

public enum ConnectionKind
{
    /// <summary>A shared-ring connection of a domain (dom0's own, or a domU's after INTRODUCE).</summary>
    Ring,
    /// <summary>A Unix-socket client: privileged, acts as domain 0.</summary>
    Socket,
}

/// <summary>
/// Names a connection the way oxenstored's DEBUG output does: <c>D&lt;domid&gt;</c> for a ring,
/// <c>A&lt;n&gt;</c> for the n-th socket. Rings sort before sockets, each by number.
/// </summary>
public readonly record struct ConnectionId(ConnectionKind Kind, int Number) : IComparable<ConnectionId>
{
    public static ConnectionId Ring(int domid) => new(ConnectionKind.Ring, domid);
    public static ConnectionId Socket(int number) => new(ConnectionKind.Socket, number);

    public int CompareTo(ConnectionId other) =>
        Kind != other.Kind ? Kind.CompareTo(other.Kind) : Number.CompareTo(other.Number);

    public override string ToString() =>
        (Kind == ConnectionKind.Ring ? "D" : "A") + Number.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(string text, out ConnectionId id)
    {
        id = default;
        if (text.Length < 2 || (text[0] != 'D' && text[0] != 'A')) return false;
        if (!int.TryParse(text.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return false;
        id = text[0] == 'D' ? Ring(n) : Socket(n);
        return true;
    }
}
