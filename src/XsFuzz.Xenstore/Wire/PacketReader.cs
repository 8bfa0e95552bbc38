using System.Buffers.Binary;

namespace XsFuzz.Xenstore.Wire;

/// <summary>
/// Cuts one connection's inbound byte stream into request packets the way oxenstored's xb library
/// reads a socket (spec §1.8). Pure: feed it whatever each read returned, in order.
/// <list type="bullet">
/// <item>The header is 16 little-endian uint32s: type, req_id, tx_id, len.</item>
/// <item>A <c>len</c> above 4096 is clamped to 4096: the packet ends after 4096 payload bytes and
/// whatever follows is read as the next header. The stream desynchronises; nobody is disconnected.</item>
/// <item>A zero-length packet is not delivered when its header completes. oxenstored only reads a
/// header's bytes, then waits for the descriptor to become readable again before it looks at the
/// (empty) payload, so such a packet is processed once at least one more byte has arrived on the
/// connection, or at end of stream. It is held here until then.</item>
/// </list>
/// </summary>
public sealed class PacketReader
{
    private readonly byte[] _header = new byte[Packet.HeaderSize];
    private int _headerFilled;
    // Set once a header is complete and its (clamped) payload is being collected.
    private byte[]? _payload;
    private int _payloadFilled;
    private uint _type, _requestId, _txId;
    // A complete zero-length packet that waits for the next byte (or the end of the stream).
    private Packet? _held;

    /// <summary>
    /// True while bytes of an unfinished packet are buffered (oxenstored's "partial input"), including a
    /// held zero-length packet.
    /// </summary>
    public bool HasPartialInput => _headerFilled > 0 || _payload is not null || _held is not null;

    /// <summary>Consumes the bytes of one read and returns the packets they complete, in order.</summary>
    public IReadOnlyList<Packet> Feed(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return [];
        var packets = new List<Packet>();
        // Any byte beyond a held zero-length packet is what makes oxenstored look at it again.
        Release(packets);
        while (!bytes.IsEmpty)
        {
            if (_payload is null)
            {
                var take = Math.Min(Packet.HeaderSize - _headerFilled, bytes.Length);
                bytes[..take].CopyTo(_header.AsSpan(_headerFilled));
                _headerFilled += take;
                bytes = bytes[take..];
                if (_headerFilled == Packet.HeaderSize) StartPayload();
                if (_held is not null && !bytes.IsEmpty) Release(packets);
            }
            else
            {
                var take = Math.Min(_payload.Length - _payloadFilled, bytes.Length);
                bytes[..take].CopyTo(_payload.AsSpan(_payloadFilled));
                _payloadFilled += take;
                bytes = bytes[take..];
                if (_payloadFilled == _payload.Length)
                {
                    packets.Add(new Packet(_type, _requestId, _txId, _payload));
                    _payload = null;
                }
            }
        }
        return packets;
    }

    /// <summary>
    /// End of stream: a held zero-length packet is delivered (the end makes the descriptor readable);
    /// a partial header or payload is dropped, as oxenstored drops it with the connection.
    /// </summary>
    public Packet? Finish()
    {
        var held = _held;
        _held = null;
        _headerFilled = 0;
        _payload = null;
        return held;
    }

    private void StartPayload()
    {
        _type = BinaryPrimitives.ReadUInt32LittleEndian(_header);
        _requestId = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(4));
        _txId = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(8));
        var length = BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(12));
        _headerFilled = 0;
        var clamped = (int)Math.Min(length, (uint)Packet.PayloadMax);
        if (clamped == 0)
        {
            _held = new Packet(_type, _requestId, _txId, []);
            return;
        }
        _payload = new byte[clamped];
        _payloadFilled = 0;
    }

    private void Release(List<Packet> packets)
    {
        if (_held is null) return;
        packets.Add(_held);
        _held = null;
    }
}
