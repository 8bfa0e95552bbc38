using System.Text;

namespace XsFuzz.Xenstore.Wire;

/// <summary>
/// One xenstore message: the 16-byte header fields and the payload. Immutable; equality is by value
/// (payload bytes included) so that two daemons' outputs can be compared directly.
/// </summary>
public sealed class Packet : IEquatable<Packet>
{
    public const int HeaderSize = 16;
    /// <summary>XENSTORE_PAYLOAD_MAX: oxenstored clamps longer headers to this (spec §1.8).</summary>
    public const int PayloadMax = 4096;

    private readonly byte[] _payload;

    public Packet(uint type, uint requestId, uint txId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        RequestId = requestId;
        TxId = txId;
        _payload = payload.ToArray();
    }

    public uint Type { get; }
    public uint RequestId { get; }
    public uint TxId { get; }
    public ReadOnlySpan<byte> Payload => _payload;
    public int Length => _payload.Length;

    public Op Op => (Op)Type;

    /// <summary>A request whose payload is the given strings, each followed by NUL.</summary>
    public static Packet Request(Op op, uint requestId, uint txId, params string[] args) =>
        new((uint)op, requestId, txId, Latin1.NulTerminated(args));

    /// <summary>A WRITE request: path NUL value, the value verbatim (no NUL added).</summary>
    public static Packet WriteRequest(uint requestId, uint txId, string path, ReadOnlySpan<byte> value)
    {
        var bytes = new byte[path.Length + 1 + value.Length];
        Latin1.Encode(path, bytes);
        value.CopyTo(bytes.AsSpan(path.Length + 1));
        return new Packet((uint)Op.Write, requestId, txId, bytes);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[HeaderSize + _payload.Length];
        WriteHeader(bytes, Type, RequestId, TxId, (uint)_payload.Length);
        _payload.CopyTo(bytes, HeaderSize);
        return bytes;
    }

    public static void WriteHeader(Span<byte> into, uint type, uint requestId, uint txId, uint length)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(into, type);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(into[4..], requestId);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(into[8..], txId);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(into[12..], length);
    }

    /// <summary>
    /// The byte length of the packet that <paramref name="bytes"/> begin with, once its header is there
    /// (header plus the length it announces, unclamped); null before that.
    /// </summary>
    public static long? WholeLength(ReadOnlySpan<byte> bytes) =>
        bytes.Length < HeaderSize ? null : HeaderSize + (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);

    /// <summary>The packet of exactly <paramref name="bytes"/> (a header and the whole payload it announces).</summary>
    public static Packet Parse(ReadOnlySpan<byte> bytes) => new(
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]),
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]),
        bytes[HeaderSize..]);

    public bool Equals(Packet? other) =>
        other is not null && Type == other.Type && RequestId == other.RequestId && TxId == other.TxId
        && _payload.AsSpan().SequenceEqual(other._payload);

    public override bool Equals(object? obj) => Equals(obj as Packet);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Type);
        hash.Add(RequestId);
        hash.Add(TxId);
        hash.AddBytes(_payload);
        return hash.ToHashCode();
    }

    /// <summary>Readable one-line form, e.g. <c>READ rid=3 tx=0 "v\x00"</c>.</summary>
    public override string ToString() =>
        $"{OpNames.Name(Type)} rid={RequestId} tx={TxId} {Latin1.Quote(_payload)}";
}
