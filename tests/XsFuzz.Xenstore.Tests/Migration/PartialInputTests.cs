using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Tests.Migration;

/// <summary>
/// A request whose client has written only its first bytes (oxenstored's partial_in, the C daemon's
/// conn->in): the model processes it once the rest arrives, and a live update in between keeps the bytes.
/// </summary>
public class PartialInputTests
{
    private static readonly ConnectionId D1 = ConnectionId.Ring(1);

    private static Xenstored WithDomain()
    {
        var daemon = new Xenstored();
        daemon.Handle(Xenstored.Dom0, Packet.Request(Op.Introduce, 1, 0, "1", "1001", "11"));
        daemon.Handle(Xenstored.Dom0, Packet.WriteRequest(2, 0, "/local/domain/1", []));
        daemon.Handle(Xenstored.Dom0, Packet.Request(Op.SetPerms, 3, 0, "/local/domain/1", "n1")); // the guest's home, as a toolstack makes it
        Assert.All(daemon.TakeOutput(Xenstored.Dom0), p => Assert.NotEqual(Op.Error, p.Op));
        return daemon;
    }

    private static byte[] WriteBytes(uint id) => Packet.WriteRequest(id, 0, "/local/domain/1/x", "value"u8).ToBytes();

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(20)]
    public void A_request_written_in_two_parts_is_processed_once_whole(int split)
    {
        var daemon = WithDomain();
        var bytes = WriteBytes(5);
        daemon.Receive(D1, bytes[..split]);
        Assert.True(daemon.HasPartialInput(D1));
        Assert.Empty(daemon.TakeOutput(D1));
        daemon.Receive(D1, bytes[split..]);
        Assert.False(daemon.HasPartialInput(D1));
        var reply = Assert.Single(daemon.TakeOutput(D1));
        Assert.Equal(new Packet((uint)Op.Write, 5, 0, "OK\0"u8), reply);
    }

    [Fact]
    public void Bytes_of_two_requests_in_one_write_are_two_requests_and_the_tail_stays_partial()
    {
        var daemon = WithDomain();
        var read = Packet.Request(Op.Read, 6, 0, "/local/domain/1/x").ToBytes();
        daemon.Receive(D1, [.. WriteBytes(5), .. read[..3]]);
        Assert.Single(daemon.TakeOutput(D1));
        daemon.Receive(D1, read[3..]);
        var reply = Assert.Single(daemon.TakeOutput(D1));
        Assert.Equal(6u, reply.RequestId);
        Assert.Equal("value", Latin1.Decode(reply.Payload));
    }

    [Fact]
    public void A_live_update_between_the_parts_keeps_them_and_the_request_completes_after_it()
    {
        var reference = WithDomain();
        var bytes = WriteBytes(5);
        reference.Receive(D1, bytes[..21]);
        var updated = reference.LiveUpdate();
        Assert.True(StateComparer.Same(reference, updated));
        Assert.Equal(StateSnapshot.Of(reference), StateSnapshot.Of(updated));
        Assert.Contains("partial-input", StateSnapshot.Of(updated).Text);
        foreach (var daemon in new[] { reference, updated }) daemon.Receive(D1, bytes[21..]);
        Assert.Equal(reference.TakeOutput(D1), updated.TakeOutput(D1));
        Assert.True(StateComparer.Same(reference, updated));
    }

    [Fact]
    public void The_planted_fault_loses_them()
    {
        var daemon = WithDomain();
        daemon.Receive(D1, WriteBytes(5)[..4]);
        var broken = daemon.LiveUpdate(LiveUpdateFault.PartialInputLost);
        Assert.False(broken.HasPartialInput(D1));
        Assert.False(StateComparer.Same(daemon, broken));
    }

    [Fact]
    public void A_stream_whose_partial_input_is_empty_a_whole_packet_or_doubled_is_rejected()
    {
        var daemon = WithDomain();
        daemon.Receive(D1, WriteBytes(5)[..4]);
        var editor = new StreamEditor(MigrationStream.DumpToBytes(daemon));
        var at = editor.IndexOf(RecordType.PartialInput);
        Assert.True(at >= 0);
        var (_, body) = editor.Records[at];
        MigrationStream.Restore(editor.Seal()); // as dumped: fine
        var stream = body[..4];                 // the connection's stream id
        byte[] Record(byte[] bytes) => StreamEditor.Body(new RecordWriter().Start().Raw(stream).Bytes(bytes));
        editor.Records[at] = (RecordType.PartialInput, Record([]));
        Assert.Contains("empty partial input", Assert.Throws<RestoreException>(() => MigrationStream.Restore(editor.Seal())).Message);
        editor.Records[at] = (RecordType.PartialInput, Record(Packet.Request(Op.Read, 1, 0, "/").ToBytes()));
        Assert.Contains("whole packet", Assert.Throws<RestoreException>(() => MigrationStream.Restore(editor.Seal())).Message);
        editor.Records[at] = (RecordType.PartialInput, body);
        editor.InsertBefore(at, RecordType.PartialInput, body);
        Assert.Contains("duplicate partial input", Assert.Throws<RestoreException>(() => MigrationStream.Restore(editor.Seal())).Message);
    }
}
