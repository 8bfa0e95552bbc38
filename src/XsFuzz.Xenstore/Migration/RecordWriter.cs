using System.Buffers.Binary;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Migration;

/// <summary>
/// Builds one record body in little-endian fields, then frames it onto the stream. One writer serves
/// a whole dump (<see cref="Start"/> empties it), so dumping does not allocate per record.
/// </summary>
internal sealed class RecordWriter
{
    private static readonly byte[] Zeros = new byte[8];
    private readonly MemoryStream _body = new();
    private readonly byte[] _scratch = new byte[8];

    public RecordWriter Start()
    {
        _body.SetLength(0);
        return this;
    }

    public RecordWriter U8(byte value)
    {
        _body.WriteByte(value);
        return this;
    }

    public RecordWriter Bool(bool value) => U8(value ? (byte)1 : (byte)0);

    public RecordWriter U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_scratch, value);
        _body.Write(_scratch, 0, 4);
        return this;
    }

    public RecordWriter I32(int value) => U32(unchecked((uint)value));

    public RecordWriter I64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_scratch, value);
        _body.Write(_scratch, 0, 8);
        return this;
    }

    /// <summary>A byte string: u32 length, then the bytes.</summary>
    public RecordWriter Bytes(ReadOnlySpan<byte> bytes)
    {
        U32((uint)bytes.Length);
        _body.Write(bytes);
        return this;
    }

    public RecordWriter Text(string latin1) => Bytes(Latin1.Encode(latin1));

    public RecordWriter OptionalText(string? latin1)
    {
        Bool(latin1 is not null);
        return latin1 is null ? this : Text(latin1);
    }

    public void WriteTo(Stream stream, RecordType type)
    {
        Span<byte> header = stackalloc byte[StreamFormat.RecordHeaderSize];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)type);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)_body.Length);
        stream.Write(header);
        stream.Write(_body.GetBuffer(), 0, (int)_body.Length);
        stream.Write(Zeros, 0, StreamFormat.Padding((int)_body.Length));
    }
}
