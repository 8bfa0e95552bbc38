using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Serve;

/// <summary>What the socket side tells the daemon loop; the loop handles them one at a time, in order.</summary>
internal abstract record ServerEvent(ClientConnection Client);

/// <summary>A client was accepted: it becomes a socket connection of the model.</summary>
internal sealed record Accepted(ClientConnection Client) : ServerEvent(Client);

/// <summary>
/// The packets one read completed. The daemon loop calls <see cref="ClientConnection.Processed"/>
/// once they are all processed and their output handed on; the reader waits for it before reading
/// again, so a client that floods requests is slowed to the daemon's pace instead of filling memory.
/// </summary>
internal sealed record Received(ClientConnection Client, IReadOnlyList<Packet> Packets) : ServerEvent(Client);

/// <summary>
/// The client is gone (end of stream, a read or write error): its connection is destroyed.
/// <paramref name="Last"/> is a zero-length packet that only the end of stream released: oxenstored
/// processes it, then finds the end of stream before it writes the reply, so the reply is never sent.
/// </summary>
internal sealed record Ended(ClientConnection Client, string Reason, Packet? Last) : ServerEvent(Client);
