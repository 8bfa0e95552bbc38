using System.Buffers.Binary;
using System.IO.Hashing;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Migration;

/// <summary>
/// Builds one record body in little-endian fields, then frames it onto the stream with its checksum.
/// One writer serves a whole dump (<see cref="Start"/> empties the body), so dumping does not allocate
/// per record, and it hashes every byte it writes for the END record's whole-stream checksum.
/// </summary>
/// <remarks>
/// The body is built right after room for the record header, and the padding and checksum go after
/// it in the same buffer: a record is hashed in one call and written in one call (four of each, per
/// record, showed in profiles of the live update).
/// </remarks>
internal sealed class RecordWriter
{
    // The record being built: a plain growable buffer (a dump writes tens of thousands of small fields,
    // where MemoryStream's per-call checks and a temporary array per text showed in profiles).
    private byte[] _body = new byte[256];
    private int _length = StreamFormat.RecordHeaderSize;
    private readonly XxHash64 _stream = new();

    /// <summary>The stream header: magic, version (big-endian), flags 0 (records are little-endian).</summary>
    public void WriteHeader(Stream stream)
    {
        Span<byte> header = stackalloc byte[StreamFormat.HeaderSize];
        StreamFormat.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32BigEndian(header[8..], StreamFormat.Version);
        header[12..].Clear();
        Emit(stream, header);
    }

    /// <summary>The END record, whose body is the checksum of every byte before it.</summary>
    public void WriteEnd(Stream stream)
    {
        Start().I64(unchecked((long)_stream.GetCurrentHashAsUInt64())).WriteTo(stream, RecordType.End);
    }

    public RecordWriter Start()
    {
        _length = StreamFormat.RecordHeaderSize;
        return this;
    }

    public RecordWriter U8(byte value)
    {
        Room(1)[0] = value;
        return this;
    }

    public RecordWriter Bool(bool value) => U8(value ? (byte)1 : (byte)0);

    public RecordWriter U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(Room(4), value);
        return this;
    }

    public RecordWriter I32(int value) => U32(unchecked((uint)value));

    public RecordWriter I64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Room(8), value);
        return this;
    }

    /// <summary>A byte string: u32 length, then the bytes.</summary>
    public RecordWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        U32((uint)bytes.Length);
        bytes.CopyTo(Room(bytes.Length));
        return this;
    }

    /// <summary>Bytes as they are, without a length (tests re-seal edited record bodies with it).</summary>
    public RecordWriter Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Room(bytes.Length));
        return this;
    }

    /// <summary>A Latin-1 string as a byte string, encoded straight into the body.</summary>
    public RecordWriter Text(string latin1)
    {
        U32((uint)latin1.Length);
        Latin1.Encode(latin1, Room(latin1.Length));
        return this;
    }

    public RecordWriter OptionalText(string? latin1)
    {
        Bool(latin1 is not null);
        return latin1 is null ? this : Text(latin1);
    }

    /// <summary>Frames the body: header, body, zero padding, then the checksum of those three.</summary>
    public void WriteTo(Stream stream, RecordType type)
    {
        var bodyLength = _length - StreamFormat.RecordHeaderSize;
        var padding = StreamFormat.Padding(bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(_body, (uint)type);
        BinaryPrimitives.WriteUInt32LittleEndian(_body.AsSpan(4), (uint)bodyLength);
        Room(padding).Clear(); // the buffer holds earlier records' bytes
        var checksum = XxHash64.HashToUInt64(_body.AsSpan(0, _length));
        BinaryPrimitives.WriteUInt64LittleEndian(Room(StreamFormat.ChecksumSize), checksum);
        Emit(stream, _body.AsSpan(0, _length));
        _length -= padding + StreamFormat.ChecksumSize; // the body as it was: framing it again writes the same record
    }

    /// <summary>The next <paramref name="count"/> bytes of the body, to be filled by the caller.</summary>
    private Span<byte> Room(int count)
    {
        if (_body.Length - _length < count) Array.Resize(ref _body, Math.Max(_body.Length * 2, _length + count));
        var room = _body.AsSpan(_length, count);
        _length += count;
        return room;
    }

    private void Emit(Stream stream, ReadOnlySpan<byte> bytes)
    {
        _stream.Append(bytes);
        stream.Write(bytes);
    }
}
