using System.Net.Sockets;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Serve;

/// <summary>
/// One connection's outbound queue, written to its (non-blocking) socket in order. The daemon loop
/// sends directly when nothing is queued and the socket takes it all, which is the common case and
/// saves a thread switch per reply; anything left over goes to the connection's writer thread, so a
/// client that does not read never stalls the daemon. Like oxenstored, which stops reading a
/// connection while 1024 replies wait for it (quota-maxoutstanding), the reader waits in
/// <see cref="WaitForRoom"/> before each read.
/// </summary>
internal sealed class ConnectionWriter(Socket socket)
{
    public const int MaxOutstanding = 1024;

    private readonly object _gate = new(); // a Monitor: the threads also wait and pulse on it
    // Bytes not yet written, in order; the head stays queued until fully sent, so the daemon loop
    // only sends directly while this is empty.
    private readonly Queue<Pending> _queue = new();
    private int _backlog; // packets in the queue
    private bool _closed;

    private readonly record struct Pending(byte[] Bytes, int Offset, int Packets);

    /// <summary>Called by the daemon loop: sends now what the socket takes, queues the rest.</summary>
    public void Enqueue(IReadOnlyList<Packet> packets)
    {
        var bytes = packets.Count == 1 ? packets[0].ToBytes() : packets.SelectMany(p => p.ToBytes()).ToArray();
        lock (_gate)
        {
            if (_closed) return;
            var sent = 0;
            if (_queue.Count == 0)
            {
                try
                {
                    sent = SendSome(bytes);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return; // the writer thread meets the same error and reports it
                }
            }
            if (sent == bytes.Length) return;
            _queue.Enqueue(new Pending(bytes, sent, packets.Count));
            _backlog += packets.Count;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Blocks while 1024 or more packets wait to be written; false once closed.</summary>
    public bool WaitForRoom()
    {
        lock (_gate)
        {
            while (_backlog >= MaxOutstanding && !_closed) Monitor.Wait(_gate);
            return !_closed;
        }
    }

    /// <summary>Drops whatever is queued and ends <see cref="Run"/> and <see cref="WaitForRoom"/>.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _queue.Clear();
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The writer thread: writes queued bytes until closed; returns why it stopped (null if closed).</summary>
    public string? Run()
    {
        try
        {
            while (true)
            {
                Pending head;
                lock (_gate)
                {
                    while (_queue.Count == 0 && !_closed) Monitor.Wait(_gate);
                    if (_closed) return null;
                    head = _queue.Peek();
                }
                for (var at = head.Offset; at < head.Bytes.Length;)
                {
                    var sent = SendSome(head.Bytes.AsSpan(at));
                    // Full: wait until the client reads (or Close's shutdown wakes us; the next send then fails).
                    if (sent == 0) socket.Poll(-1, SelectMode.SelectWrite);
                    at += sent;
                }
                lock (_gate)
                {
                    if (_closed) return null; // Close emptied the queue
                    _queue.Dequeue();
                    _backlog -= head.Packets;
                    Monitor.PulseAll(_gate);
                }
            }
        }
        catch (SocketException e)
        {
            return "write error: " + e.Message;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
    }

    /// <summary>One non-blocking send: the bytes the socket took, 0 if its buffer is full.</summary>
    private int SendSome(ReadOnlySpan<byte> bytes)
    {
        var sent = socket.Send(bytes, SocketFlags.None, out var error);
        return error switch
        {
            SocketError.Success => sent,
            SocketError.WouldBlock => 0,
            _ => throw new SocketException((int)error),
        };
    }
}
