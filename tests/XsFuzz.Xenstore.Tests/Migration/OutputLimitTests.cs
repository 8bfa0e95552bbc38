using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Tests.Migration;

/// <summary>
/// oxenstored 4.17's output limits (quota-maxoutstanding, quota-maxwatchevents): a writer flooding a
/// watcher that does not read is stopped, as Debian's oxenstored stops it (the oracle stopped a socket
/// writer after 2,119 writes: 2,049 queued here, the rest in the kernel's socket buffer), and the
/// held-back events survive a live update.
/// </summary>
public class OutputLimitTests
{
    private static (Xenstored Daemon, Domains.ConnectionId Writer, Domains.ConnectionId Watcher) Flooded(XenstoredConfig config, out int writes)
    {
        var daemon = new Xenstored(config);
        var watcher = daemon.OpenSocket();
        var writer = daemon.OpenSocket();
        daemon.Handle(watcher, Packet.Request(Op.Watch, 1, 0, "/", "flood"));
        daemon.TakeOutput(watcher); // the ack and the initial event; then the watcher stops reading
        writes = 0;
        while (daemon.CanInput(writer) && writes < 100_000)
        {
            daemon.Handle(writer, Packet.WriteRequest((uint)++writes, 0, $"/flood/k{writes % 16}", "v"u8));
            Assert.Single(daemon.TakeOutput(writer)); // the writer reads its reply
        }
        return (daemon, writer, watcher);
    }

    [Fact]
    public void A_writer_flooding_a_watcher_that_does_not_read_is_stopped_after_twice_the_limit_and_one()
    {
        var (daemon, writer, watcher) = Flooded(XenstoredConfig.Debian, out var writes);
        Assert.Equal(1024 + 1024 + 1, writes);
        Assert.Equal(1024, daemon.PendingOutput(watcher));
        // The watcher reads everything: nothing passes the held event on, so the writer stays stopped,
        // as on oxenstored (the oracle's writer did not resume after its watcher drained, nor after it left).
        Assert.Equal(1024, daemon.TakeOutput(watcher).Count);
        Assert.False(daemon.CanInput(writer));
        daemon.CloseConnection(watcher);
        Assert.False(daemon.CanInput(writer));
        // Other clients are served.
        var other = daemon.OpenSocket();
        Assert.True(daemon.CanInput(other));
    }

    [Fact]
    public void Below_the_limits_nothing_is_held_back()
    {
        var (daemon, writer, watcher) = Flooded(XenstoredConfig.Debian with { MaxWatchEvents = 100_000, MaxOutstanding = 100_000 }, out var writes);
        Assert.Equal(100_000, writes);
        Assert.True(daemon.CanInput(writer));
        Assert.Equal(100_000, daemon.TakeOutput(watcher).Count);
    }

    [Fact]
    public void Held_back_events_survive_a_live_update_in_order()
    {
        var (daemon, writer, watcher) = Flooded(XenstoredConfig.Debian with { MaxWatchEvents = 4, MaxOutstanding = 4 }, out var writes);
        Assert.Equal(9, writes);
        var updated = daemon.LiveUpdate();
        Assert.True(StateComparer.Same(daemon, updated));
        Assert.Equal(StateSnapshot.Of(daemon).Text, StateSnapshot.Of(updated).Text);
        Assert.Contains("waiting for watch", StateSnapshot.Of(updated).Text);
        Assert.False(updated.CanInput(writer));
        // The watcher reads, then a new event flushes the watch's queue in both alike.
        foreach (var d in new[] { daemon, updated })
        {
            d.TakeOutput(watcher);
            d.Handle(watcher, Packet.WriteRequest(99, 0, "/flood/again", "v"u8));
        }
        Assert.Equal(Model.Session.Render(daemon.TakeOutput(watcher)), Model.Session.Render(updated.TakeOutput(watcher)));
    }

    /// <summary>
    /// An event waiting with its writer for a watch that its owner has removed since still reaches that
    /// owner once the writer's queue moves (oxenstored's watch record keeps forwarding to its
    /// connection's queue after UNWATCH): a live update in between must not change that.
    /// </summary>
    [Fact]
    public void An_event_for_a_watch_removed_while_it_waits_reaches_its_owner_across_a_live_update()
    {
        var daemon = new Xenstored(XenstoredConfig.Debian with { MaxWatchEvents = 4, MaxOutstanding = 4 });
        var owner = daemon.OpenSocket();
        var watcher = daemon.OpenSocket();
        var writer = daemon.OpenSocket();
        daemon.Handle(owner, Packet.Request(Op.Watch, 1, 0, "/", "gone"));
        daemon.Handle(watcher, Packet.Request(Op.Watch, 1, 0, "/", "flood"));
        daemon.TakeOutput(owner);
        daemon.TakeOutput(watcher); // the watcher stops reading; its watch is the newer, so its events go first
        var writes = 0;
        while (daemon.CanInput(writer))
        {
            daemon.Handle(writer, Packet.WriteRequest((uint)++writes, 0, "/flood", "v"u8));
            daemon.TakeOutput(writer);
            daemon.TakeOutput(owner);
        }
        daemon.Handle(owner, Packet.Request(Op.Unwatch, 2, 0, "/", "gone"));
        Assert.Single(daemon.TakeOutput(owner)); // the ack: the owner's event still waits behind the watcher's
        var updated = daemon.LiveUpdate();
        Assert.True(StateComparer.Same(daemon, updated));
        var delivered = new List<string>();
        foreach (var d in new[] { daemon, updated })
        {
            d.TakeOutput(watcher);
            d.TakeOutput(writer); // passes the writer's waiting events on
            delivered.Add(Model.Session.Render(d.TakeOutput(owner)));
        }
        Assert.Contains("gone", delivered[0]);
        Assert.Equal(delivered[0], delivered[1]);
    }

    [Fact]
    public void A_removed_watch_keeps_its_writer_waiting_across_a_live_update()
    {
        var (daemon, writer, watcher) = Flooded(XenstoredConfig.Debian with { MaxWatchEvents = 4, MaxOutstanding = 4 }, out _);
        daemon.CloseConnection(watcher);
        var updated = daemon.LiveUpdate();
        Assert.True(StateComparer.Same(daemon, updated));
        Assert.False(updated.CanInput(writer));
    }
}
