using System.Buffers.Binary;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Wire;

/// <summary>
/// Cuts what a daemon sends to a socket client into packets. Unlike <see cref="PacketReader"/> (the
/// daemon's side, which clamps a request's length to 4096 and holds empty packets the way oxenstored
/// reads), a client takes the length as sent: replies to sockets are not clamped.
/// </summary>
internal sealed class ReplyDecoder
{
    private readonly List<byte> _buffer = [];

    public void Feed(ReadOnlySpan<byte> bytes) => _buffer.AddRange(bytes);

    /// <summary>True when bytes of an unfinished packet are buffered.</summary>
    public bool HasPartial => _buffer.Count > 0;

    public Packet? Next()
    {
        if (_buffer.Count < Packet.HeaderSize) return null;
        Span<byte> header = stackalloc byte[Packet.HeaderSize];
        for (var i = 0; i < Packet.HeaderSize; i++) header[i] = _buffer[i];
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (_buffer.Count - Packet.HeaderSize < length) return null;
        var payload = _buffer.GetRange(Packet.HeaderSize, (int)length).ToArray();
        _buffer.RemoveRange(0, Packet.HeaderSize + (int)length);
        return new Packet(BinaryPrimitives.ReadUInt32LittleEndian(header), BinaryPrimitives.ReadUInt32LittleEndian(header[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(header[8..]), payload);
    }
}
