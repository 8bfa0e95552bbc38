using System.Text;

namespace XsFuzz.Harness.Decoding;

/// <summary>
/// The one source of decisions, in one of two modes. <b>Reading</b> (decoding): decisions come from
/// fuzzer bytes. <b>Writing</b> (encoding): every primitive is told the value wanted, writes the bytes
/// that make a reader return it, and returns it. So a chooser is written once, as code that reads, and
/// the same code encodes: Decode(Encode(s)) == s holds by construction, not by two mirrored switches.
/// </summary>
/// <remarks>
/// Input shape: a sequence of records (see <see cref="Framing"/>); <see cref="NextRecord"/> moves to the
/// next one and the primitives read inside the current record. Reading is total: every byte string is
/// accepted; a read past the end of the record yields its default (0, the first alternative, the empty
/// string, "no more elements"); once the records run out, lists of records (nodes, commands) end.
/// Writing: when the wanted value cannot be produced (not in the list, out of range, too long) the
/// current alternative is marked failed (see <see cref="OneOf"/>) and the primitive returns the wanted
/// value (or a harmless stand-in) so the code after it runs on safely; no exception on this path.
/// The wanted value is ignored when reading (callers pass null/default and compute it only when
/// <see cref="Writing"/>, to keep the decoder, AFL's hot path, free of encoder work).
/// </remarks>
internal sealed class Choices
{
    private readonly bool _writing;

    // Reading: the input, unescaped, records back to back, and each record's end offset (exclusive).
    private readonly byte[] _bytes = [];
    private readonly int[] _ends = [];
    private int _record = -1;
    private int _pos;
    private int _end;

    // Writing: framed output so far, the record being written, and how far a byte string reaches into
    // it (trailing zero bytes are dropped at the end of a record, except those of a byte string).
    private readonly List<byte> _out = [];
    private byte[] _rec = [];
    private int _len;
    private int _protectedEnd;
    private bool _started;
    private bool _failed;
    private bool _trailingZerosFree; // how OneOf counts an alternative's trailing zero bytes (see Element)
    private bool _zeroTail;          // an alternative that OneOf weighed ended with a droppable zero byte

    private Choices(bool writing) => _writing = writing;

    /// <summary>A reader over fuzzer bytes.</summary>
    public static Choices Reader(ReadOnlySpan<byte> input)
    {
        var bytes = new byte[input.Length];
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
            bytes[n++] = b;
        }
        ends.Add(n);
        return new Choices(bytes, ends.ToArray());
    }

    private Choices(byte[] bytes, int[] ends) : this(writing: false)
    {
        _bytes = bytes;
        _ends = ends;
    }

    /// <summary>A writer; <see cref="ToArray"/> gives the framed bytes.</summary>
    public static Choices Writer() => new(writing: true) { _rec = new byte[64] };

    public bool Writing => _writing;

    /// <summary>Writing: whether a wanted value could not be produced since the last alternative began.</summary>
    public bool Failed => _failed;

    /// <summary>How many records the input holds (an empty input holds one empty record). Reading only.</summary>
    public int RecordCount => _ends.Length;

    /// <summary>
    /// Moves to the next record. Reading: false when the input has no more (then every read is a
    /// default). Writing: starts a record if <paramref name="want"/> (and returns it).
    /// </summary>
    public bool NextRecord(bool want)
    {
        if (_writing)
        {
            if (!want) return false;
            if (_started) Flush(separatorAfter: true);
            _started = true;
            return true;
        }
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

    /// <summary>Bytes left in the current record (reading).</summary>
    public int Remaining => _end - _pos;

    private int ReadByte() => _pos < _end ? _bytes[_pos++] : 0;

    /// <summary>
    /// One of <paramref name="n"/> (0 when n &lt;= 1, using no byte); one byte up to 256 alternatives,
    /// else two (little-endian), taken modulo n. Writing: a wanted index out of range fails and gives 0.
    /// </summary>
    public int Index(int n, int want)
    {
        if (_writing)
        {
            if ((uint)want >= (uint)Math.Max(n, 1) || want > 0xFFFF) return Fail(0); // 0 stays a safe index
            if (n <= 1) return want;
            Put((byte)want);
            if (n > 256) Put((byte)(want >> 8));
            return want;
        }
        if (n <= 1) return 0;
        if (n <= 256) return ReadByte() % n;
        var v = ReadByte() | (ReadByte() << 8);
        return v % n;
    }

    /// <summary>An element of a non-empty list (writing: the first index holding <paramref name="want"/>).</summary>
    public T Pick<T>(IReadOnlyList<T> list, T? want)
    {
        if (!_writing) return list[Index(list.Count, 0)];
        // Enumerated, not indexed: a list that makes its elements on demand lists them once (NodePaths).
        var comparer = EqualityComparer<T>.Default;
        var i = 0;
        foreach (var item in list)
        {
            if (comparer.Equals(item, want!)) return list[Index(list.Count, i)];
            i++;
        }
        Fail(0);
        return list[0];
    }

    /// <summary>An alternative drawn with the table's weights (one byte; writing: the smallest byte that picks it).</summary>
    public int Weighted(WeightTable table, int want)
    {
        if (!_writing) return table.Pick((byte)ReadByte());
        if ((uint)want >= (uint)table.Count) return Fail(0);
        Put(table.FirstByteOf(want));
        return want;
    }

    /// <summary>"One more element?": yes three times in four, no past the end.</summary>
    public bool More(bool want)
    {
        if (!_writing) return ReadByte() % 4 != 0;
        Put(want ? (byte)1 : (byte)0);
        return want;
    }

    /// <summary>An unsigned LEB128 number (at most 5 bytes); missing bytes count as 0.</summary>
    public uint Varint(uint want)
    {
        if (_writing)
        {
            var value = want;
            do
            {
                var b = (byte)(value & 0x7F);
                value >>= 7;
                if (value != 0) b |= 0x80;
                Put(b);
            } while (value != 0);
            return want;
        }
        uint v = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            var b = ReadByte();
            v |= (uint)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
        }
        return v;
    }

    /// <summary>A signed number, zigzag-coded over <see cref="Varint"/>.</summary>
    public int SignedVarint(int want)
    {
        var v = Varint(_writing ? (uint)((want << 1) ^ (want >> 31)) : 0);
        return (int)(v >> 1) ^ -(int)(v & 1);
    }

    /// <summary>
    /// A byte string (as Latin-1 text) of length Varint mod (max + 1); if the record ends first the string
    /// is shorter. Writing: <paramref name="want"/> must be Latin-1 and at most max long.
    /// </summary>
    public string Bytes(int max, string? want)
    {
        if (_writing)
        {
            if (want is null || want.Length > max) return Fail(want ?? "");
            foreach (var ch in want)
            {
                if (ch > 0xFF) return Fail(want);
            }
            Varint((uint)want.Length);
            foreach (var ch in want) Put((byte)ch);
            if (want.Length > 0) _protectedEnd = _len;
            return want;
        }
        var length = (int)(Varint(0) % (uint)(max + 1));
        if (length > Remaining) length = Remaining;
        var text = Encoding.Latin1.GetString(_bytes, _pos, length);
        _pos += length;
        return text;
    }

    /// <summary>
    /// A choice among the alternatives of <paramref name="table"/>, each produced by
    /// <paramref name="alternative"/> (a static function holding the switch; <paramref name="state"/> is
    /// what it needs, passed without a closure). Reading: the weighted byte picks the alternative.
    /// Writing: every alternative is tried; among those that produce exactly <paramref name="want"/>
    /// the one with the fewest bytes wins (ties: the lower index). None: the choice fails.
    /// </summary>
    public T OneOf<TState, T>(WeightTable table, TState state, T? want, Func<Choices, TState, T?, int, T> alternative)
    {
        if (!_writing) return alternative(this, state, default, table.Pick((byte)ReadByte()));
        if (_failed) return want!;
        var mark = _len;
        var protectedBefore = _protectedEnd;
        var comparer = EqualityComparer<T>.Default;
        byte[]? best = null;
        var bestCost = int.MaxValue;
        var bestProtected = 0;
        for (var alt = 0; alt < table.Count; alt++)
        {
            _len = mark;
            _protectedEnd = protectedBefore;
            _failed = false;
            Put(table.FirstByteOf(alt));
            var result = alternative(this, state, want, alt);
            if (_failed || !comparer.Equals(result, want!)) continue;
            if (_len > Math.Max(mark, _protectedEnd) && _rec[_len - 1] == 0) _zeroTail = true;
            var cost = Cost(mark, _trailingZerosFree ? _protectedEnd : _len);
            if (cost >= bestCost) continue;
            bestCost = cost;
            best = _rec.AsSpan(mark, _len - mark).ToArray();
            bestProtected = _protectedEnd;
        }
        _len = mark;
        _protectedEnd = protectedBefore;
        if (best is null) return Fail(want!);
        _failed = false;
        foreach (var b in best) Put(b);
        _protectedEnd = bestProtected;
        return want!;
    }

    /// <summary>
    /// A whole record's element (the setup header, a node, a command). Reading: just
    /// <paramref name="choose"/>. Writing: <see cref="OneOf"/> picks greedily, one choice at a time, and
    /// cannot know whether the zero bytes an alternative ends with will be dropped at the end of the
    /// record or paid for because something follows. So the record is written twice, once counting those
    /// zeros and once not, and the shorter framing is kept.
    /// </summary>
    public T Element<TState, T>(TState state, Func<Choices, TState, T> choose)
    {
        if (!_writing) return choose(this, state);
        var mark = _len;
        var protectedBefore = _protectedEnd;
        var failedBefore = _failed;
        _zeroTail = false;
        var first = choose(this, state);
        if (!_zeroTail) return first; // counting trailing zeros or not made no difference anywhere
        var firstBytes = _rec.AsSpan(mark, _len - mark).ToArray();
        var firstProtected = _protectedEnd;
        var firstCost = Cost(mark, _protectedEnd);
        var firstFailed = _failed;

        _len = mark;
        _protectedEnd = protectedBefore;
        _failed = failedBefore;
        _trailingZerosFree = true;
        var second = choose(this, state);
        _trailingZerosFree = false;
        if (Cost(mark, _protectedEnd) < firstCost) return second;

        _len = mark;
        foreach (var b in firstBytes) Put(b);
        _protectedEnd = firstProtected;
        _failed = firstFailed;
        return first;
    }

    /// <summary>Writing: the current alternative cannot produce what is wanted. Returns <paramref name="value"/>.</summary>
    public T Fail<T>(T value)
    {
        _failed = true;
        return value;
    }

    /// <summary>The framed bytes written (writing).</summary>
    public byte[] ToArray()
    {
        if (_started) Flush(separatorAfter: false);
        _started = false;
        return _out.ToArray();
    }

    private void Put(byte b)
    {
        if (_len == _rec.Length) Array.Resize(ref _rec, _rec.Length * 2);
        _rec[_len++] = b;
    }

    /// <summary>
    /// Framed size of the record bytes from <paramref name="mark"/> on (escaped bytes count twice),
    /// without the trailing zero bytes after <paramref name="keep"/>.
    /// </summary>
    private int Cost(int mark, int keep)
    {
        var length = _len;
        while (length > Math.Max(mark, keep) && _rec[length - 1] == 0) length--;
        var cost = 0;
        for (var i = mark; i < length; i++) cost += _rec[i] >= Framing.Escape ? 2 : 1;
        return cost;
    }

    private void Flush(bool separatorAfter)
    {
        var length = _len;
        while (length > _protectedEnd && _rec[length - 1] == 0) length--;
        for (var i = 0; i < length; i++)
        {
            var b = _rec[i];
            if (b >= Framing.Escape)
            {
                _out.Add(Framing.Escape);
                _out.Add((byte)(b - Framing.Escape));
            }
            else _out.Add(b);
        }
        if (separatorAfter) _out.Add(Framing.Separator);
        _len = 0;
        _protectedEnd = 0;
    }
}
