using XsFuzz.Harness.Running;
using System.Diagnostics;
using System.Net.Sockets;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Wire;

/// <summary>
/// A blocking client connection to a daemon's Unix socket (a privileged dom0 connection): writes
/// packets, reads packets back until a chosen one arrives. One thread uses it at a time.
/// </summary>
public sealed class DaemonConnection : IClientConnection, IDisposable
{
    private readonly Socket _socket;
    private readonly IdleGate? _idle;
    private readonly ReplyDecoder _decoder = new();
    private readonly byte[] _chunk = new byte[65536];

    private DaemonConnection(Socket socket, IdleGate? idle)
    {
        _socket = socket;
        _idle = idle;
    }

    public bool Closed { get; private set; }

    /// <summary>Our end (<see cref="IdleGate.Quiet"/> asks the kernel what of ours the daemon has not read).</summary>
    internal Socket Socket => _socket;

    /// <summary>
    /// Connects, retrying while the daemon has bound its socket but does not listen yet (or the file is
    /// not there yet), up to <paramref name="timeout"/>. With <paramref name="idle"/>, the connection
    /// and every write wake the daemon only when it is idle.
    /// </summary>
    public static DaemonConnection Connect(string path, TimeSpan timeout, IdleGate? idle = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                idle?.BeforeWake();
                socket.Connect(new UnixDomainSocketEndPoint(path));
                return new DaemonConnection(socket, idle);
            }
            catch (SocketException e) when (clock.Elapsed < timeout && e.SocketErrorCode is SocketError.ConnectionRefused
                or SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
            {
                socket.Dispose();
                Thread.Sleep(5);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>Writes the packets in one go (a request and its sync point arrive together).</summary>
    public void Send(params Packet[] packets) => SendBytes(packets.SelectMany(p => p.ToBytes()).ToArray());

    public void SendBytes(byte[] bytes)
    {
        if (Closed) return;
        _idle?.BeforeWake();
        try
        {
            var sent = 0;
            while (sent < bytes.Length) sent += _socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
        }
        catch (SocketException)
        {
            Closed = true;
        }
        catch (ObjectDisposedException)
        {
            Closed = true;
        }
    }

    /// <summary>
    /// Reads packets until one satisfies <paramref name="isEnd"/> (returned separately, not in the list),
    /// the connection closes, or nothing completes it within <paramref name="timeout"/>; with an idle
    /// gate, also as soon as the daemon is <see cref="IdleGate.Quiet"/> and nothing is left to read:
    /// the same timeout, without the wait.
    /// </summary>
    public (List<Packet> Before, Packet? End, Ending Ending) ReadUntil(Func<Packet, bool> isEnd, TimeSpan timeout)
    {
        var before = new List<Packet>();
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        long? readIn = null;   // the daemon's period when we last took bytes (IdleGate.Quiet)
        while (true)
        {
            while (_decoder.Next() is { } packet)
            {
                if (isEnd(packet)) return (before, packet, Ending.Complete);
                before.Add(packet);
            }
            if (Closed) return (before, null, Ending.Closed);
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (left <= TimeSpan.Zero) return (before, null, Ending.Timeout);
            var micro = (int)Math.Min(int.MaxValue, (_idle?.Slice(left) ?? left).Ticks / 10);
            try
            {
                if (!_socket.Poll(Math.Max(micro, 1), SelectMode.SelectRead))
                {
                    // Quiet first, then empty: a reply written before the daemon went idle is seen.
                    if (_idle?.Quiet(deadline, [_socket], readIn) == true && _socket.Available == 0) return (before, null, Ending.Timeout);
                    continue;
                }
                var read = _socket.Receive(_chunk);
                // Looked at after the read: a period the daemon begins after it saw the room we made is
                // rightly quiet, and one it has not left yet is the one our read may have ended.
                readIn = _idle?.Period();
                if (read == 0) Closed = true;
                else _decoder.Feed(_chunk.AsSpan(0, read));
            }
            catch (SocketException)
            {
                Closed = true;
            }
        }
    }

    public void Dispose()
    {
        Closed = true;
        _socket.Dispose();
    }
}
