using System.Buffers.Binary;
using System.Net.Sockets;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Serve.Tests.Support;

/// <summary>
/// A plain blocking xenstore client for the tests: sends packets (or raw bytes) and reads the
/// server's packets back. Replies to a socket may exceed 4096 bytes, so lengths are taken as sent.
/// </summary>
public sealed class WireClient : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _socket;
    private readonly List<byte> _buffer = [];
    private uint _nextRequestId = 1;

    private WireClient(Socket socket) => _socket = socket;

    /// <summary>Watch events that arrived while <see cref="Call"/> waited for a reply.</summary>
    public List<Packet> Events { get; } = [];

    public static WireClient Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        return new WireClient(socket);
    }

    public void SendRaw(ReadOnlySpan<byte> bytes) => _socket.Send(bytes);

    public void Send(Packet packet) => SendRaw(packet.ToBytes());

    /// <summary>Sends a request (args NUL-terminated; WRITE's last arg is the raw value) and returns its reply.</summary>
    public Packet Call(Op op, uint txId, params string[] args)
    {
        var rid = _nextRequestId++;
        var request = op == Op.Write
            ? Packet.WriteRequest(rid, txId, args[0], Latin1.Encode(args[1]))
            : Packet.Request(op, rid, txId, args);
        Send(request);
        while (true)
        {
            var packet = Receive(DefaultTimeout) ?? throw new IOException($"the server closed the connection before answering {request}");
            if (packet.Op != Op.WatchEvent && packet.RequestId == rid) return packet;
            Events.Add(packet);
        }
    }

    /// <summary>The next packet, or null at end of stream; TimeoutException if nothing comes in time.</summary>
    public Packet? Receive(TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (true)
        {
            if (TryTakePacket() is { } packet) return packet;
            var left = end - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("no packet from the server");
            if (!_socket.Poll(left, SelectMode.SelectRead)) continue;
            var chunk = new byte[65536];
            int read;
            try { read = _socket.Receive(chunk); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { read = 0; }
            if (read == 0) return null;
            _buffer.AddRange(chunk.AsSpan(0, read));
        }
    }

    /// <summary>True if nothing arrives within the time (the server holds or ignores the input).</summary>
    public bool Silent(TimeSpan time)
    {
        if (_buffer.Count > 0) return false;
        return !_socket.Poll(time, SelectMode.SelectRead);
    }

    /// <summary>True if the server closes the connection within the time (packets before are skipped).</summary>
    public bool ClosedWithin(TimeSpan time)
    {
        var end = DateTime.UtcNow + time;
        try
        {
            while (DateTime.UtcNow < end)
            {
                if (Receive(end - DateTime.UtcNow) is null) return true;
            }
        }
        catch (TimeoutException) { }
        return false;
    }

    private Packet? TryTakePacket()
    {
        if (_buffer.Count < Packet.HeaderSize) return null;
        var header = _buffer.GetRange(0, Packet.HeaderSize).ToArray();
        var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
        if (_buffer.Count < Packet.HeaderSize + length) return null;
        var packet = new Packet(BinaryPrimitives.ReadUInt32LittleEndian(header),
            BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)),
            BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)),
            _buffer.GetRange(Packet.HeaderSize, length).ToArray());
        _buffer.RemoveRange(0, Packet.HeaderSize + length);
        return packet;
    }

    public void Dispose() => _socket.Dispose();
}

/// <summary>Readable assertions on reply packets.</summary>
public static class Replies
{
    public static string Text(Packet packet) => Latin1.Decode(packet.Payload);

    /// <summary>"OK\0", "ENOENT\0" (as ERROR), "value"...: the payload with its type checked.</summary>
    public static void AssertOk(Packet reply, Op op, string payload)
    {
        Assert.True(reply.Op == op, $"expected a {op} reply, got {reply}");
        Assert.Equal(payload, Text(reply));
    }

    public static void AssertError(Packet reply, string error)
    {
        Assert.True(reply.Op == Op.Error, $"expected ERROR {error}, got {reply}");
        Assert.Equal(error + "\0", Text(reply));
    }
}
