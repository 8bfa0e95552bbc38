namespace XsFuzz.Harness.Decoding;

/// <summary>
/// The inverse of <see cref="Choices"/>: writes the bytes that make each primitive return a wanted value,
/// record by record, then frames and escapes them. Trailing zero bytes of a record are dropped (a read
/// past the end returns the same default), except where they belong to a byte string, whose length
/// would otherwise be cut.
/// </summary>
public sealed class ChoiceWriter
{
    private readonly List<byte> _out = new();
    private readonly List<byte> _record = new();
    private int _protectedEnd;   // record bytes up to here must stay (a byte string ends here)
    private bool _started;

    /// <summary>Closes the current record (if any) and starts the next one.</summary>
    public void NextRecord()
    {
        if (_started) Flush(separatorAfter: true);
        _started = true;
    }

    public void Choose(int value, int n)
    {
        if (n <= 1) return;
        if ((uint)value >= (uint)n) throw new ArgumentOutOfRangeException(nameof(value), $"{value} not in [0,{n})");
        if (n <= 256) { _record.Add((byte)value); return; }
        if (n > 65536) throw new ArgumentOutOfRangeException(nameof(n), "choices above 65536 alternatives");
        _record.Add((byte)(value & 0xFF));
        _record.Add((byte)(value >> 8));
    }

    public void Int(int value, int bound) => Choose(value, bound);

    public void Weighted(WeightTable table, int alternative) => _record.Add(table.FirstByteOf(alternative));

    public void Bool(bool value) => _record.Add(value ? (byte)1 : (byte)0);

    public void More(bool value) => _record.Add(value ? (byte)1 : (byte)0);

    /// <summary>A raw byte (for choices the decoder reads as a plain byte, e.g. a fill byte).</summary>
    public void Byte(byte value) => _record.Add(value);

    public void Varint(uint value)
    {
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            if (value != 0) b |= 0x80;
            _record.Add(b);
        } while (value != 0);
    }

    public void SignedVarint(int value) => Varint((uint)((value << 1) ^ (value >> 31)));

    /// <summary>A byte string (Latin-1 text) that <see cref="Choices.Bytes"/> with the same max reads back.</summary>
    public void Bytes(string text, int max)
    {
        if (text.Length > max) throw new ArgumentException($"byte string of {text.Length} exceeds {max}", nameof(text));
        Varint((uint)text.Length);
        foreach (var c in text)
        {
            if (c > 0xFF) throw new ArgumentException("not a Latin-1 byte string", nameof(text));
            _record.Add((byte)c);
        }
        if (text.Length > 0) _protectedEnd = _record.Count;
    }

    public byte[] ToArray()
    {
        if (_started) Flush(separatorAfter: false);
        _started = false;
        return _out.ToArray();
    }

    private void Flush(bool separatorAfter)
    {
        var length = _record.Count;
        while (length > _protectedEnd && _record[length - 1] == 0) length--;
        for (var i = 0; i < length; i++)
        {
            var b = _record[i];
            if (b >= Framing.Escape)
            {
                _out.Add(Framing.Escape);
                _out.Add((byte)(b - Framing.Escape));
            }
            else _out.Add(b);
        }
        if (separatorAfter) _out.Add(Framing.Separator);
        _record.Clear();
        _protectedEnd = 0;
    }
}
