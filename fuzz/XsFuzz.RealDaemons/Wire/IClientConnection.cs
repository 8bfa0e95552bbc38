using XsFuzz.Harness.Running;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Wire;

/// <summary>A client's end of a daemon connection, a dom0 socket or a guest's ring: what a runner step needs.</summary>
public interface IClientConnection
{
    /// <summary>The daemon closed the connection (a socket), the domain was released (a ring), or it was disposed.</summary>
    bool Closed { get; }

    /// <summary>Writes the packets in one go (a request and its sync point arrive together).</summary>
    void Send(params Packet[] packets);

    /// <summary>Writes raw bytes: possibly part of a packet, finished by a later call (a request in flight).</summary>
    void SendBytes(byte[] bytes);

    /// <summary>
    /// Reads packets until one satisfies <paramref name="isEnd"/> (returned separately, not in the list),
    /// the connection closes, or nothing completes it within <paramref name="timeout"/>.
    /// </summary>
    (List<Packet> Before, Packet? End, Ending Ending) ReadUntil(Func<Packet, bool> isEnd, TimeSpan timeout);
}
