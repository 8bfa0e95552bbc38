using System.Buffers.Binary;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Migration;

/// <summary>
/// Reads one record body. Every failure is a <see cref="RestoreException"/> naming the record and the
/// absolute byte offset where reading failed.
/// </summary>
internal sealed class RecordReader(byte[] stream, int bodyStart, int bodyLength, RecordType type)
{
    private int _at = bodyStart;
    private readonly int _end = bodyStart + bodyLength;

    public RecordType Type { get; } = type;
    public int Offset => _at;

    public RestoreException Error(string what) => Error(what, _at);

    public RestoreException Error(string what, int offset) =>
        new($"{Type} record, byte offset {offset}: {what}");

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count < 0 || _end - _at < count) throw Error($"truncated {field}");
        var span = stream.AsSpan(_at, count);
        _at += count;
        return span;
    }

    public byte U8(string field) => Take(1, field)[0];

    public bool Bool(string field)
    {
        var at = _at;
        var b = U8(field);
        if (b > 1) throw Error($"{field} is {b}, not a boolean", at);
        return b == 1;
    }

    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public int I32(string field) => unchecked((int)U32(field));

    public long I64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));

    /// <summary>A count of items that each take at least <paramref name="minItemSize"/> bytes: checked against what is left.</summary>
    public int Count(string field, int minItemSize)
    {
        var at = _at;
        var n = U32(field);
        if (n > (uint)(_end - _at) / (uint)Math.Max(1, minItemSize)) throw Error($"{field} {n} exceeds the record length", at);
        return (int)n;
    }

    public byte[] Bytes(string field) => Counted(field).ToArray();

    /// <summary>A byte string as Latin-1 text, decoded straight from the stream (no copy in between).</summary>
    public string Text(string field) => Latin1.Decode(Counted(field));

    /// <summary>A byte string's bytes in place: u32 length, checked against what is left, then the bytes.</summary>
    private ReadOnlySpan<byte> Counted(string field)
    {
        var at = _at;
        var n = U32(field);
        if (n > (uint)(_end - _at)) throw Error($"{field} length {n} exceeds the record length", at);
        return Take((int)n, field);
    }

    public string? OptionalText(string field) => Bool(field + " flag") ? Text(field) : null;

    /// <summary>The body must be consumed exactly: a longer declared length is a defect too.</summary>
    public void ExpectEnd()
    {
        if (_at != _end) throw Error($"{_end - _at} unexpected bytes at the end of the record");
    }
}
