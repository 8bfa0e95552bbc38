using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Tests.Migration;

/// <summary>Each planted fault really corrupts the state it names (the harness must then notice).</summary>
public class PlantedFaultTests
{
    /// <summary>A state with something for every fault to break.</summary>
    private static Xenstored RichState()
    {
        // perms-watch-activate off: a configuration whose flags differ (config-perms-swapped)
        var twin = new Twin(XenstoredConfig.Debian with { PermsWatchActivate = false });
        twin.Do(twin.A, Op.Introduce, 0, "1", "1001", "11");
        twin.Do(twin.A, Op.Introduce, 0, "2", "1002", "12");
        twin.Do(twin.A, Op.SetTarget, 0, "1", "2");
        twin.Do(twin.A, Op.Mkdir, 0, "/local/domain/1");
        twin.Do(twin.A, Op.SetPerms, 0, "/local/domain/1", "n1", "r2");
        twin.Do(twin.A, Op.Mkdir, 0, "/local/domain/1/data");
        // a stale dom0 count: /o/c (dom0's) goes with /o when domain 3 is cleaned up
        twin.Write(twin.A, "/o/c", "");
        twin.Do(twin.A, Op.SetPerms, 0, "/o", "n3");
        twin.Do(twin.A, Op.Release, 0, "3");
        twin.Do(twin.A, Op.Mkdir, 0, "/empty");
        var d1 = ConnectionId.Ring(1);
        twin.Do(d1, Op.Watch, 0, "data", "rel");
        twin.Do(d1, Op.Watch, 0, "data", "second");
        twin.Write(twin.A, "/local/domain/1/data/x", "queued for D1");
        // two equal events in a row for D2, which may read /local/domain/1
        twin.Do(ConnectionId.Ring(2), Op.Watch, 0, "/local/domain/1/data/y2", "twice");
        twin.Write(twin.A, "/local/domain/1/data/y2", "1");
        twin.Write(twin.A, "/local/domain/1/data/y2", "2");
        for (var i = 0; i < 20; i++) twin.Write(twin.A, "/local/domain/1/data/x", "queued for D1"); // 42 queued (output-queue-truncated)
        twin.Do(twin.A, Op.TransactionStart, 0, "");
        twin.Write(twin.A, "/local/domain/1/data/y", "in tx", tx: 1);
        twin.Write(twin.A, "/local/domain/1/data/y", "in tx", tx: 1); // the same change again (tx-repeated-change-merged)
        // D2 has written the header and two payload bytes of a READ (partial-input-lost)
        var daemon = twin.Updated;
        daemon.Receive(ConnectionId.Ring(2), Packet.Request(Op.Read, 90, 0, "/local/domain/1").ToBytes()[..18]);
        Assert.True(daemon.HasPartialInput(ConnectionId.Ring(2)));
        return daemon;
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void The_fault_changes_the_restored_state(LiveUpdateFault fault)
    {
        var daemon = RichState();
        Assert.Equal(StateSnapshot.Of(daemon), StateSnapshot.Of(daemon.LiveUpdate()));
        Assert.True(StateComparer.Same(daemon, daemon.LiveUpdate()));
        var broken = daemon.LiveUpdate(fault);
        Assert.NotEqual(StateSnapshot.Of(daemon), StateSnapshot.Of(broken));
        Assert.False(StateComparer.Same(daemon, broken));
    }

    public static TheoryData<LiveUpdateFault> Faults()
    {
        var data = new TheoryData<LiveUpdateFault>();
        foreach (var fault in Enum.GetValues<LiveUpdateFault>().Where(f => f != LiveUpdateFault.None)) data.Add(fault);
        return data;
    }
}
