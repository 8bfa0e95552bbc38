using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Serve.Tests;

/// <summary>The socket decoder against oxenstored's xb rules (spec §1.8; every case checked on the real daemon).</summary>
public class PacketReaderTests
{
    private static byte[] Header(uint type, uint rid, uint tx, uint length)
    {
        var header = new byte[Packet.HeaderSize];
        Packet.WriteHeader(header, type, rid, tx, length);
        return header;
    }

    private static Packet Read(uint rid, string path) => Packet.Request(Op.Read, rid, 0, path);

    [Fact]
    public void Whole_packets_in_one_read_come_out_in_order()
    {
        var first = Read(1, "/a");
        var second = Packet.WriteRequest(2, 7, "/b", "v"u8);
        var reader = new PacketReader();

        var packets = reader.Feed([.. first.ToBytes(), .. second.ToBytes()]);

        Assert.Equal([first, second], packets);
        Assert.False(reader.HasPartialInput);
    }

    [Fact]
    public void A_packet_fed_byte_by_byte_comes_out_once_its_last_byte_arrives()
    {
        var packet = Packet.Request(Op.SetPerms, 9, 3, "/a/b", "n0", "r5");
        var bytes = packet.ToBytes();
        var reader = new PacketReader();

        for (var i = 0; i < bytes.Length - 1; i++)
        {
            Assert.Empty(reader.Feed(bytes.AsSpan(i, 1)));
            Assert.True(reader.HasPartialInput);
        }

        Assert.Equal([packet], reader.Feed(bytes.AsSpan(^1)));
        Assert.False(reader.HasPartialInput);
    }

    [Fact]
    public void Reads_split_anywhere_give_the_same_packets()
    {
        var packets = Enumerable.Range(1, 20).Select(i => Packet.WriteRequest((uint)i, 0, "/p" + i, new byte[i * 37 % 300])).ToList();
        var stream = packets.SelectMany(p => p.ToBytes()).ToArray();
        var random = new Random(5);
        for (var round = 0; round < 50; round++)
        {
            var reader = new PacketReader();
            var got = new List<Packet>();
            for (var at = 0; at < stream.Length;)
            {
                var size = Math.Min(random.Next(1, 200), stream.Length - at);
                got.AddRange(reader.Feed(stream.AsSpan(at, size)));
                at += size;
            }
            Assert.Equal(packets, got);
        }
    }

    [Fact]
    public void A_zero_length_packet_waits_for_one_more_byte()
    {
        var reader = new PacketReader();
        var reset = new Packet((uint)Op.ResetWatches, 1, 0, []);

        Assert.Empty(reader.Feed(reset.ToBytes()));
        Assert.True(reader.HasPartialInput);

        // The first byte of the next header releases it; the next packet is not complete yet.
        var next = Read(2, "/tool").ToBytes();
        Assert.Equal([reset], reader.Feed(next.AsSpan(0, 1)));
        Assert.Equal([Read(2, "/tool")], reader.Feed(next.AsSpan(1)));
    }

    [Fact]
    public void A_zero_length_packet_followed_by_bytes_in_the_same_read_is_not_held()
    {
        var start = new Packet((uint)Op.TransactionStart, 1, 0, []);
        var reader = new PacketReader();

        var packets = reader.Feed([.. start.ToBytes(), .. Read(2, "/a").ToBytes()]);

        Assert.Equal([start, Read(2, "/a")], packets);
    }

    [Fact]
    public void Consecutive_zero_length_packets_release_each_other_and_the_last_waits()
    {
        var a = new Packet((uint)Op.ResetWatches, 1, 0, []);
        var b = new Packet((uint)Op.TransactionStart, 2, 0, []);
        var reader = new PacketReader();

        Assert.Equal([a], reader.Feed([.. a.ToBytes(), .. b.ToBytes()]));
        Assert.Equal(b, reader.Finish());
        Assert.False(reader.HasPartialInput);
    }

    [Fact]
    public void The_end_of_stream_releases_a_held_packet_and_drops_a_partial_one()
    {
        var reader = new PacketReader();
        reader.Feed(new Packet((uint)Op.ResetWatches, 4, 0, []).ToBytes());
        Assert.Equal(new Packet((uint)Op.ResetWatches, 4, 0, []), reader.Finish());

        reader.Feed(Read(5, "/a").ToBytes().AsSpan(0, 18));
        Assert.True(reader.HasPartialInput);
        Assert.Null(reader.Finish());
        Assert.False(reader.HasPartialInput);
    }

    [Fact]
    public void An_oversize_length_is_clamped_to_4096_and_the_rest_is_read_as_the_next_header()
    {
        // WRITE with len 5000: "/big\0" and 4995 'A's. oxenstored processes the first 4096 payload bytes,
        // then takes 'AAAA...' as a header: type/rid/tx 0x41414141 and a length clamped to 4096.
        var payload = new byte[5000];
        "/big\0"u8.CopyTo(payload);
        payload.AsSpan(5).Fill((byte)'A');
        var reader = new PacketReader();

        var packets = reader.Feed([.. Header((uint)Op.Write, 8, 0, 5000), .. payload]);

        var first = Assert.Single(packets);
        Assert.Equal(new Packet((uint)Op.Write, 8, 0, payload.AsSpan(0, Packet.PayloadMax)), first);
        Assert.True(reader.HasPartialInput); // 904 'A's: a 16-byte header and 888 of its 4096 payload bytes

        var next = Assert.Single(reader.Feed(new byte[4096 - 888]));
        Assert.Equal(0x41414141u, next.Type);
        Assert.Equal(0x41414141u, next.RequestId);
        Assert.Equal(0x41414141u, next.TxId);
        Assert.Equal(Packet.PayloadMax, next.Length);
    }

    [Fact]
    public void The_largest_length_is_clamped_too()
    {
        var reader = new PacketReader();
        Assert.Empty(reader.Feed([.. Header((uint)Op.Read, 3, 0, uint.MaxValue), .. "/tool\0"u8]));

        var packet = Assert.Single(reader.Feed(new byte[Packet.PayloadMax - 6]));

        Assert.Equal(Packet.PayloadMax, packet.Length);
        Assert.Equal(3u, packet.RequestId);
    }

    [Fact]
    public void Any_op_number_is_passed_through_for_the_model_to_refuse()
    {
        var reader = new PacketReader();
        var odd = new Packet(99, 4, 12345, "x\0"u8);

        Assert.Equal([odd], reader.Feed(odd.ToBytes()));
    }

    [Fact]
    public void An_empty_read_changes_nothing_and_does_not_release_a_held_packet()
    {
        var reader = new PacketReader();
        reader.Feed(new Packet((uint)Op.ResetWatches, 1, 0, []).ToBytes());

        Assert.Empty(reader.Feed([]));
        Assert.True(reader.HasPartialInput);
    }
}
