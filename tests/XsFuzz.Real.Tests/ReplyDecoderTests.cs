using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

public class ReplyDecoderTests
{
    [Fact]
    public void Packets_split_across_reads_come_out_whole_and_in_order()
    {
        var first = Packet.Request(Op.Read, 1, 0, "/a");
        var second = new Packet((uint)Op.Directory, 2, 0, new byte[5000]); // replies are not clamped to 4096
        var bytes = first.ToBytes().Concat(second.ToBytes()).ToArray();
        var decoder = new ReplyDecoder();
        var got = new List<Packet>();
        for (var i = 0; i < bytes.Length; i += 7)
        {
            decoder.Feed(bytes.AsSpan(i, Math.Min(7, bytes.Length - i)));
            while (decoder.Next() is { } p) got.Add(p);
        }
        Assert.Equal([first, second], got);
        Assert.False(decoder.HasPartial);
    }
}
