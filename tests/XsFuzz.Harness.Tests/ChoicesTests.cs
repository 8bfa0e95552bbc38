using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness.Tests;

public class ChoicesTests
{
    [Fact]
    public void Reads_past_the_end_yield_defaults_and_lists_end()
    {
        var c = new Choices([]);
        Assert.True(c.NextRecord());
        Assert.Equal(0, c.Choose(10));
        Assert.Equal(0, c.Choose(1000));
        Assert.False(c.Bool());
        Assert.False(c.More());
        Assert.Equal(0u, c.Varint());
        Assert.Equal("", c.Bytes(100));
        Assert.Equal(0, c.Weighted(new WeightTable(200, 56)));
        Assert.False(c.NextRecord());
        Assert.Equal(0, c.Choose(7));
    }

    [Fact]
    public void Separators_split_records_and_bound_reads()
    {
        var c = new Choices([5, 6, Framing.Separator, 7]);
        Assert.Equal(2, c.RecordCount);
        Assert.True(c.NextRecord());
        Assert.Equal(5, c.Choose(256));
        Assert.Equal(6, c.Choose(256));
        Assert.Equal(0, c.Choose(256)); // the record ends: the next record's byte is not stolen
        Assert.True(c.NextRecord());
        Assert.Equal(7, c.Choose(256));
        Assert.False(c.NextRecord());
    }

    [Fact]
    public void Escapes_carry_separator_and_escape_bytes()
    {
        var c = new Choices([Framing.Escape, 1, Framing.Escape, 0, Framing.Escape]);
        Assert.Equal(1, c.RecordCount);
        c.NextRecord();
        Assert.Equal(0xFF, c.Choose(256));
        Assert.Equal(0xFE, c.Choose(256));
        Assert.Equal(0, c.Remaining); // a dangling escape stands for nothing
    }

    [Fact]
    public void Short_byte_strings_are_cut_at_the_record_end()
    {
        var c = new Choices([10, (byte)'a', (byte)'b']);
        c.NextRecord();
        Assert.Equal("ab", c.Bytes(100));
    }

    [Fact]
    public void Writer_is_the_inverse_of_every_primitive()
    {
        var table = new WeightTable(100, 100, 56);
        var w = new ChoiceWriter();
        w.NextRecord();
        w.Choose(3, 10);
        w.Choose(999, 1000);
        w.Weighted(table, 2);
        w.Bool(true);
        w.More(true);
        w.More(false);
        w.Varint(300);
        w.SignedVarint(-7);
        w.Bytes("x\0\xff\xfe", 100);
        w.NextRecord();
        w.Choose(0, 5);
        w.Bytes("\0\0", 10); // trailing NULs of a byte string must survive trimming
        w.NextRecord();
        var bytes = w.ToArray();

        var c = new Choices(bytes);
        Assert.Equal(3, c.RecordCount);
        c.NextRecord();
        Assert.Equal(3, c.Choose(10));
        Assert.Equal(999, c.Choose(1000));
        Assert.Equal(2, c.Weighted(table));
        Assert.True(c.Bool());
        Assert.True(c.More());
        Assert.False(c.More());
        Assert.Equal(300u, c.Varint());
        Assert.Equal(-7, c.SignedVarint());
        Assert.Equal("x\0\xff\xfe", c.Bytes(100));
        c.NextRecord();
        Assert.Equal(0, c.Choose(5));
        Assert.Equal("\0\0", c.Bytes(10));
        c.NextRecord();
        Assert.Equal(0, c.Remaining);
    }

    [Fact]
    public void Writer_drops_trailing_default_bytes()
    {
        var w = new ChoiceWriter();
        w.NextRecord();
        w.Choose(2, 10);
        w.Choose(0, 10);
        w.More(false);
        Assert.Equal(new byte[] { 2 }, w.ToArray());
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
            var c = new Choices(bytes);
            while (c.NextRecord())
            {
                c.Choose(300);
                c.Bytes(4096);
                c.Varint();
                c.SignedVarint();
                c.More();
            }
        }
    }
}
