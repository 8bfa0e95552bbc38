using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Tests;

public class ChoicesTests
{
    [Fact]
    public void Reads_past_the_end_yield_defaults_and_lists_end()
    {
        var c = Choices.Reader([]);
        Assert.True(c.NextRecord(false));
        Assert.Equal(0, c.Index(10, 5));
        Assert.Equal(0, c.Index(1000, 5));
        Assert.False(c.More(true));
        Assert.Equal(0u, c.Varint(9));
        Assert.Equal("", c.Bytes(100, "ignored"));
        Assert.Equal(0, c.Weighted(new WeightTable(200, 56), 1));
        Assert.Equal("a", c.Pick(["a", "b"], "b"));
        Assert.False(c.NextRecord(true));
        Assert.Equal(0, c.Index(7, 3));
    }

    [Fact]
    public void Separators_split_records_and_bound_reads()
    {
        var c = Choices.Reader([5, 6, Framing.Separator, 7]);
        Assert.Equal(2, c.RecordCount);
        Assert.True(c.NextRecord(false));
        Assert.Equal(5, c.Index(256, 0));
        Assert.Equal(6, c.Index(256, 0));
        Assert.Equal(0, c.Index(256, 0)); // the record ends: the next record's byte is not stolen
        Assert.True(c.NextRecord(false));
        Assert.Equal(7, c.Index(256, 0));
        Assert.False(c.NextRecord(false));
    }

    [Fact]
    public void Escapes_carry_separator_and_escape_bytes()
    {
        var c = Choices.Reader([Framing.Escape, 1, Framing.Escape, 0, Framing.Escape]);
        Assert.Equal(1, c.RecordCount);
        c.NextRecord(false);
        Assert.Equal(0xFF, c.Index(256, 0));
        Assert.Equal(0xFE, c.Index(256, 0));
        Assert.Equal(0, c.Remaining); // a dangling escape stands for nothing
    }

    [Fact]
    public void Short_byte_strings_are_cut_at_the_record_end()
    {
        var c = Choices.Reader([10, (byte)'a', (byte)'b']);
        c.NextRecord(false);
        Assert.Equal("ab", c.Bytes(100, null));
    }

    [Fact]
    public void Writing_is_the_inverse_of_every_primitive()
    {
        var table = new WeightTable(100, 100, 56);
        var w = Choices.Writer();
        Assert.True(w.NextRecord(true));
        Assert.Equal(3, w.Index(10, 3));
        Assert.Equal(999, w.Index(1000, 999));
        Assert.Equal(2, w.Weighted(table, 2));
        Assert.Equal("c", w.Pick(["a", "b", "c"], "c"));
        Assert.True(w.More(true));
        Assert.False(w.More(false));
        Assert.Equal(300u, w.Varint(300));
        Assert.Equal(-7, w.SignedVarint(-7));
        Assert.Equal("x\0\xff\xfe", w.Bytes(100, "x\0\xff\xfe"));
        w.NextRecord(true);
        w.Index(5, 0);
        w.Bytes(10, "\0\0"); // trailing NULs of a byte string must survive trimming
        w.NextRecord(true);
        Assert.False(w.NextRecord(false));
        Assert.False(w.Failed);
        var bytes = w.ToArray();

        var c = Choices.Reader(bytes);
        Assert.Equal(3, c.RecordCount);
        c.NextRecord(false);
        Assert.Equal(3, c.Index(10, 0));
        Assert.Equal(999, c.Index(1000, 0));
        Assert.Equal(2, c.Weighted(table, 0));
        Assert.Equal("c", c.Pick(["a", "b", "c"], null));
        Assert.True(c.More(false));
        Assert.False(c.More(false));
        Assert.Equal(300u, c.Varint(0));
        Assert.Equal(-7, c.SignedVarint(0));
        Assert.Equal("x\0\xff\xfe", c.Bytes(100, null));
        c.NextRecord(false);
        Assert.Equal(0, c.Index(5, 0));
        Assert.Equal("\0\0", c.Bytes(10, null));
        c.NextRecord(false);
        Assert.Equal(0, c.Remaining);
    }

    [Fact]
    public void Writing_drops_trailing_default_bytes()
    {
        var w = Choices.Writer();
        w.NextRecord(true);
        w.Index(10, 2);
        w.Index(10, 0);
        w.More(false);
        Assert.Equal(new byte[] { 2 }, w.ToArray());
    }

    [Fact]
    public void Writing_a_value_the_choice_cannot_produce_fails_without_throwing()
    {
        Assert.True(Fails(w => Assert.Equal("a", w.Pick(["a", "b"], "unknown")))); // a safe stand-in
        Assert.True(Fails(w => Assert.Equal(0, w.Index(2, 2))));
        Assert.True(Fails(w => w.Index(2, -1)));
        Assert.True(Fails(w => w.Weighted(new WeightTable(128, 128), 2)));
        Assert.True(Fails(w => w.Bytes(3, "long")));
        Assert.True(Fails(w => w.Bytes(3, "\u0100"))); // not a Latin-1 byte string
        Assert.True(Fails(w => w.Bytes(3, null)));
        Assert.False(Fails(w => w.Bytes(3, "abc")));
        Assert.False(Fails(w => w.Pick(["a", "b"], "b")));
    }

    private static bool Fails(Action<Choices> write)
    {
        var w = Choices.Writer();
        w.NextRecord(true);
        write(w);
        return w.Failed;
    }

    // Alternatives for the OneOf tests: 0 a vocabulary word, 1 the literal bytes.
    private static readonly string[] Words = ["a", "b", "c"];
    private static readonly WeightTable WordOrLiteral = new(200, 56);

    private static string Word(Choices c, int _, string? want, int alt) =>
        alt == 0 ? c.Pick(Words, want) : c.Bytes(100, want);

    [Theory]
    [InlineData("c", new byte[] { 0, 2 })]              // the vocabulary index: two bytes
    [InlineData("zz", new byte[] { 200, 2, 122, 122 })] // only the literal alternative produces it
    public void OneOf_writes_the_cheapest_alternative_that_reproduces_the_value(string want, byte[] expected)
    {
        var w = Choices.Writer();
        w.NextRecord(true);
        Assert.Equal(want, w.OneOf(WordOrLiteral, 0, want, Word));
        Assert.False(w.Failed);
        var bytes = w.ToArray();
        Assert.Equal(expected, bytes);

        var c = Choices.Reader(bytes);
        c.NextRecord(false);
        Assert.Equal(want, c.OneOf(WordOrLiteral, 0, (string?)null, Word));
    }

    [Fact]
    public void OneOf_fails_when_no_alternative_reproduces_the_value_and_leaves_no_bytes()
    {
        var w = Choices.Writer();
        w.NextRecord(true);
        w.Index(256, 7);
        w.OneOf(WordOrLiteral, 0, new string('x', 101), Word); // too long for the literal
        Assert.True(w.Failed);
        Assert.Equal(new byte[] { 7 }, w.ToArray());
    }

    // 0: a vocabulary word (index 0, "a", is the bytes 00 00), 1: the constant "a" (one byte, C8).
    private static string WordOrA(Choices c, int _, string? want, int alt) => alt == 0 ? c.Pick(Words, want) : "a";

    [Fact]
    public void Element_keeps_the_shorter_of_counting_and_not_counting_trailing_zeros()
    {
        // Counting every byte, the constant (1 byte) beats the index (2 bytes)...
        var w = Choices.Writer();
        w.NextRecord(true);
        Assert.Equal("a", w.OneOf(WordOrLiteral, 0, "a", WordOrA));
        Assert.Equal(new byte[] { 200 }, w.ToArray());
        // ...but at the end of a record the index's zero bytes are dropped: nothing at all is written.
        w = Choices.Writer();
        w.NextRecord(true);
        Assert.Equal("a", w.Element(0, static (c, _) => c.OneOf(WordOrLiteral, 0, "a", WordOrA)));
        var bytes = w.ToArray();
        Assert.Empty(bytes);
        var r = Choices.Reader(bytes);
        r.NextRecord(false);
        Assert.Equal("a", r.OneOf(WordOrLiteral, 0, (string?)null, WordOrA));
    }

    [Fact]
    public void Weight_tables_must_sum_to_256()
    {
        Assert.Throws<ArgumentException>(() => new WeightTable(100, 100));
        var t = new WeightTable(1, 255);
        Assert.Equal(0, t.Pick(0));
        Assert.Equal(1, t.Pick(1));
        Assert.Equal(1, t.FirstByteOf(1));
    }

    [Fact]
    public void Random_bytes_always_decode()
    {
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            var c = Choices.Reader(bytes);
            while (c.NextRecord(false))
            {
                c.Index(300, 0);
                c.Bytes(4096, null);
                c.Varint(0);
                c.SignedVarint(0);
                c.More(false);
                c.OneOf(WordOrLiteral, 0, (string?)null, Word);
            }
        }
    }
}
