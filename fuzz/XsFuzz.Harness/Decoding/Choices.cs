using System.Text;

namespace XsFuzz.Harness.Decoding;

/// <summary>
/// Reads decisions from fuzzer bytes. The input is a sequence of records (see <see cref="Framing"/>);
/// <see cref="NextRecord"/> moves to the next one and the primitives read inside the current record.
/// Total by construction: every byte string is accepted; a read past the end of the record yields its
/// default (0, false, the first alternative, the empty string) and "one more element?" says no; once the
/// records run out, lists of records (initial nodes, commands) end. So short inputs are small scenarios.
/// Every primitive has an exact inverse in <see cref="ChoiceWriter"/>.
/// </summary>
public sealed class Choices
{
    private readonly byte[] _bytes;   // the input, unescaped, records back to back
    private readonly int[] _ends;     // end offset (exclusive) of each record in _bytes
    private int _record = -1;
    private int _pos;
    private int _end;

    public Choices(ReadOnlySpan<byte> input)
    {
        _bytes = new byte[input.Length];
        var ends = new List<int>(input.Length / 4 + 1);
        var n = 0;
        for (var i = 0; i < input.Length; i++)
        {
            var b = input[i];
            if (b == Framing.Separator)
            {
                ends.Add(n);
                continue;
            }
            if (b == Framing.Escape)
            {
                // A dangling escape (last byte, or right before a separator) stands for nothing.
                if (i + 1 >= input.Length || input[i + 1] == Framing.Separator) continue;
                b = (byte)(Framing.Escape + (input[++i] & 1));
            }
            _bytes[n++] = b;
        }
        ends.Add(n);
        _ends = ends.ToArray();
    }

    /// <summary>How many records the input holds (an empty input holds one empty record).</summary>
    public int RecordCount => _ends.Length;

    /// <summary>Records not yet started.</summary>
    public int RecordsLeft => _ends.Length - _record - 1;

    /// <summary>Moves to the next record; false when the input has no more (then every read is a default).</summary>
    public bool NextRecord()
    {
        if (_record + 1 >= _ends.Length)
        {
            _record = _ends.Length;
            _pos = _end = 0;
            return false;
        }
        _record++;
        _pos = _record == 0 ? 0 : _ends[_record - 1];
        _end = _ends[_record];
        return true;
    }

    /// <summary>Bytes left in the current record.</summary>
    public int Remaining => _end - _pos;

    private int ReadByte() => _pos < _end ? _bytes[_pos++] : 0;

    /// <summary>One of <paramref name="n"/> (0 when n &lt;= 1, reading nothing); one byte up to 256, else two.</summary>
    public int Choose(int n)
    {
        if (n <= 1) return 0;
        if (n <= 256) return ReadByte() % n;
        var v = ReadByte() | (ReadByte() << 8);
        return v % n;
    }

    /// <summary>An int in [0, bound).</summary>
    public int Int(int bound) => Choose(bound);

    /// <summary>An alternative drawn with the table's weights (one byte).</summary>
    public int Weighted(WeightTable table) => table.Pick((byte)ReadByte());

    public bool Bool() => (ReadByte() & 1) != 0;

    /// <summary>"One more element?": yes three times in four, no past the end.</summary>
    public bool More() => ReadByte() % 4 != 0;

    /// <summary>An unsigned LEB128 number (at most 5 bytes); missing bytes count as 0.</summary>
    public uint Varint()
    {
        uint value = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte();
            value |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
        }
        return value;
    }

    /// <summary>A signed number, zigzag-coded over <see cref="Varint"/>.</summary>
    public int SignedVarint()
    {
        var v = Varint();
        return (int)(v >> 1) ^ -(int)(v & 1);
    }

    /// <summary>
    /// A byte string (as Latin-1 text) of length Varint mod (max + 1); if the record ends first the string
    /// is shorter.
    /// </summary>
    public string Bytes(int max)
    {
        var length = (int)(Varint() % (uint)(max + 1));
        if (length > Remaining) length = Remaining;
        var text = Encoding.Latin1.GetString(_bytes, _pos, length);
        _pos += length;
        return text;
    }
}
