using XsFuzz.Harness.Running;
using System.Text;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary><see cref="RingConnection"/> against an in-process daemon side (<see cref="FakeRingDaemon"/>).</summary>
public sealed class RingClientTests : IDisposable
{
    private const uint Domid = 7;
    private const uint PortNumber = 5;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _run = Directory.CreateTempSubdirectory("xsring").FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    private static Packet Write(uint id, string path, int valueBytes) =>
        Packet.WriteRequest(id, 0, path, Encoding.ASCII.GetBytes(new string('v', valueBytes)));

    private static byte[] Echo(Packet p) => new Packet(p.Type, p.RequestId, p.TxId, [.. "re:"u8, .. p.Payload]).ToBytes();

    private static (List<Packet> Before, Packet? End, Ending Ending) ReplyTo(RingConnection c, uint id) =>
        c.ReadUntil(p => p.RequestId == id, Wait);

    [Fact]
    public void Requests_and_replies_wrap_around_both_rings_byte_for_byte()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, PortNumber);
        using var client = RingConnection.Open(_run, Domid, Wait);
        for (uint id = 1; id <= 40; id++)
        {
            var request = Write(id, "/data/" + id, 50 + (int)id * 3);      // 40 sizes: every wrap offset differs
            client.Send(request);
            var (before, end, ending) = ReplyTo(client, id);
            Assert.Equal(Ending.Complete, ending);
            Assert.Empty(before);
            Assert.Equal(Echo(request), end!.ToBytes());
        }
        Assert.True(client.Page.Requests.Producer > 3 * RingPage.RingSize);
        Assert.True(client.Page.Responses.Producer > 3 * RingPage.RingSize);
        Assert.Equal(40, daemon.Received.Count);
        Assert.Equal(0, daemon.ForeignKicks);
    }

    [Fact]
    public void A_packet_split_by_the_wrap_arrives_whole()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, PortNumber);
        daemon.Stalled = true;
        // Move both rings' indexes to 10 bytes before the end, as after earlier traffic.
        Assert.Equal(1014, daemon.Page.Requests.Produce(new byte[1014]));
        Assert.Equal(1014, daemon.Page.Requests.Consume(new byte[1014]));
        Assert.Equal(1014, daemon.Page.Responses.Produce(new byte[1014]));
        Assert.Equal(1014, daemon.Page.Responses.Consume(new byte[1014]));
        using var client = RingConnection.Open(_run, Domid, Wait);
        var request = Packet.Request(Op.Read, 9, 0, "/split/across/the/wrap");
        client.Send(request);
        Assert.Equal(1014u + (uint)request.ToBytes().Length, client.Page.Requests.Producer);
        daemon.Stalled = false;
        var (_, end, ending) = ReplyTo(client, 9);
        Assert.Equal(Ending.Complete, ending);
        Assert.Equal(request, Assert.Single(daemon.Received));
        Assert.Equal(Echo(request), end!.ToBytes());
    }

    [Fact]
    public void A_full_ring_holds_the_rest_until_the_daemon_reads()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, PortNumber);
        daemon.Stalled = true;
        using var client = RingConnection.Open(_run, Domid, Wait);
        client.SendTimeout = TimeSpan.FromMilliseconds(200);
        var big = Write(1, "/big", 3000);                                 // three rings' worth
        client.Send(big);
        Assert.Equal((uint)RingPage.RingSize, client.Page.Requests.Unread);
        Assert.Equal(big.ToBytes().Length - RingPage.RingSize, client.PendingBytes);
        daemon.Stalled = false;
        var (_, end, ending) = ReplyTo(client, 1);
        Assert.Equal(Ending.Complete, ending);
        Assert.Equal(0, client.PendingBytes);
        Assert.Equal(big, Assert.Single(daemon.Received));
        Assert.Equal(Echo(big), end!.ToBytes());
    }

    [Fact]
    public void Send_waits_for_space_when_the_daemon_reads_meanwhile()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, PortNumber);
        using var client = RingConnection.Open(_run, Domid, Wait);
        var big = Write(1, "/big", 4000);
        client.Send(big);
        Assert.Equal(0, client.PendingBytes);                             // Send itself pushed all of it
        var (_, end, _) = ReplyTo(client, 1);
        Assert.Equal(Echo(big), end!.ToBytes());
    }

    [Fact]
    public void Watch_events_come_before_the_reply_they_preceded_even_beyond_a_ring_of_them()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, PortNumber);
        using var client = RingConnection.Open(_run, Domid, Wait);
        var events = Enumerable.Range(0, 60).Select(i => Packet.Request(Op.WatchEvent, 0, 0, "/w/" + i, "token")).ToList();
        foreach (var e in events) daemon.Push(e);                         // about 1.5 rings: the daemon waits for space
        var request = Packet.Request(Op.Read, 3, 0, "/x");
        client.Send(request);
        var (before, end, ending) = ReplyTo(client, 3);
        Assert.Equal(Ending.Complete, ending);
        Assert.Equal(events, before);
        Assert.Equal(Echo(request), end!.ToBytes());
    }

    [Fact]
    public void A_live_update_with_half_a_request_in_req_and_an_unread_reply_in_rsp_loses_nothing()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, PortNumber);
        using var client = RingConnection.Open(_run, Domid, Wait);
        var first = Packet.Request(Op.Read, 1, 0, "/before");
        client.Send(first);
        SpinUntil(() => client.Page.Responses.Unread > 0);                // the reply waits unread in rsp[]
        daemon.Stalled = true;                                            // the daemon stops reading: it re-execs
        var request = Packet.Request(Op.Write, 2, 0, "/during", "value");
        var second = request.ToBytes();
        client.SendBytes(second[..10]);                                   // half a header in flight
        daemon.Restart();
        client.SendBytes(second[10..]);
        daemon.Stalled = false;
        var (before, end, ending) = ReplyTo(client, 2);
        Assert.Equal(Ending.Complete, ending);
        Assert.Equal(Echo(first), Assert.Single(before).ToBytes());
        Assert.Equal(Echo(request), end!.ToBytes());
        Assert.Equal([first.RequestId, 2u], daemon.Received.Select(p => p.RequestId));
    }

    [Fact]
    public void Waiting_for_the_daemon_to_take_half_a_request_out_of_req_ends_when_it_has()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, PortNumber);
        daemon.Stalled = true;
        using var client = RingConnection.Open(_run, Domid, Wait);
        var request = Packet.Request(Op.Read, 4, 0, "/half").ToBytes();
        client.SendBytes(request[..9]);
        Assert.False(client.WaitConsumed(TimeSpan.FromMilliseconds(100)));   // a stalled daemon leaves them in req[]
        Assert.Equal(9u, client.Page.Requests.Unread);
        daemon.Stalled = false;
        Assert.True(client.WaitConsumed(Wait));
        Assert.Equal(0u, client.Page.Requests.Unread);
        client.SendBytes(request[9..]);
        var (_, end, ending) = ReplyTo(client, 4);
        Assert.Equal(Ending.Complete, ending);
        Assert.Equal(Packet.Request(Op.Read, 4, 0, "/half"), Assert.Single(daemon.Received));
    }

    [Fact]
    public void Nothing_arrives_within_the_timeout_when_the_daemon_does_not_answer()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, PortNumber);
        daemon.Stalled = true;
        using var client = RingConnection.Open(_run, Domid, Wait);
        client.Send(Packet.Request(Op.Read, 1, 0, "/x"));
        var (before, end, ending) = client.ReadUntil(p => p.RequestId == 1, TimeSpan.FromMilliseconds(100));
        Assert.Equal(Ending.Timeout, ending);
        Assert.Null(end);
        Assert.Empty(before);
    }

    [Fact]
    public void After_a_silent_timeout_later_reads_wait_briefly_until_the_daemon_answers_again()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, PortNumber);
        daemon.Stalled = true;
        using var client = RingConnection.Open(_run, Domid, Wait);
        client.Send(Packet.Request(Op.Read, 1, 0, "/x"));
        Assert.Equal(Ending.Timeout, client.ReadUntil(p => p.RequestId == 1, TimeSpan.FromMilliseconds(100)).Ending);

        // Deaf now: a 30 s timeout is cut short (the divergence is already seen).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(Ending.Timeout, client.ReadUntil(p => p.RequestId == 1, TimeSpan.FromSeconds(30)).Ending);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"waited {clock.Elapsed}");

        // A packet from the daemon ends it: its replies are waited for again.
        daemon.Stalled = false;
        client.Send(Packet.Request(Op.Read, 2, 0, "/y"));
        var (_, end, ending) = client.ReadUntil(p => p.RequestId == 2, Wait);
        Assert.Equal(Ending.Complete, ending);
        Assert.NotNull(end);
    }

    [Fact]
    public void The_connection_closes_when_the_domain_is_released_and_follows_a_new_port()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, PortNumber);
        using var client = RingConnection.Open(_run, Domid, Wait);
        daemon.Rebind(9);                                                 // introduced again: another port
        client.Send(Packet.Request(Op.Read, 1, 0, "/x"));
        var (_, _, ending) = ReplyTo(client, 1);
        Assert.Equal(Ending.Complete, ending);
        Assert.Equal(9u, client.Port);
        daemon.Unbind();                                                  // released
        client.Send(Packet.Request(Op.Read, 2, 0, "/x"));
        var (_, end, closed) = ReplyTo(client, 2);
        Assert.Equal(Ending.Closed, closed);
        Assert.True(client.Closed);
        Assert.Null(end);
    }

    [Fact]
    public void Opening_a_domain_that_was_not_introduced_times_out_with_a_clear_message()
    {
        var e = Assert.Throws<TimeoutException>(() => RingConnection.Open(_run, 3, TimeSpan.FromMilliseconds(50)));
        Assert.Contains("domain 3", e.Message);
    }

    private static void SpinUntil(Func<bool> condition)
    {
        Assert.True(SpinWait.SpinUntil(condition, Wait));
    }
}
