using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Tests.Migration;

/// <summary>Open transactions carry on across a live update exactly as without one (issue: commit paths).</summary>
public class OpenTransactionTests
{
    private static Twin Started()
    {
        var twin = new Twin();
        twin.Write(twin.A, "/t/a", "0");
        twin.Write(twin.A, "/t/c", "0");
        twin.Do(twin.A, Op.Watch, 0, "/t", "w");
        Assert.Equal("TRANSACTION_START \"1\\x00\"", twin.Do(twin.A, Op.TransactionStart, 0, ""));
        return twin;
    }

    [Fact]
    public void Fast_path()
    {
        var twin = Started();
        twin.Write(twin.A, "/t/a", "tx", tx: 1);
        twin.LiveUpdate();
        Assert.Contains("TRANSACTION_END tx=1 \"OK", twin.Do(twin.A, Op.TransactionEnd, 1, "T"));
        Assert.Equal("READ \"tx\"", twin.Do(twin.A, Op.Read, 0, "/t/a"));
        twin.DrainAndCompare();
    }

    [Fact]
    public void Coalescing_keeps_its_transaction_id_budget()
    {
        var twin = Started();
        twin.Do(twin.A, Op.Read, 1, "/t/c");
        twin.Write(twin.A, "/t/c", "tx", tx: 1);
        twin.LiveUpdate();
        twin.Write(twin.A, "/t/a", "outside");
        twin.LiveUpdate();
        Assert.Contains("TRANSACTION_END tx=1 \"OK", twin.Do(twin.A, Op.TransactionEnd, 1, "T"));
        Assert.Equal("TRANSACTION_START \"2\\x00\"", twin.Do(twin.A, Op.TransactionStart, 0, ""));
        twin.DrainAndCompare();
    }

    [Fact]
    public void Replay_uses_the_same_extra_id()
    {
        var twin = Started();
        twin.Do(twin.A, Op.Read, 1, "/t/a");
        twin.Write(twin.A, "/t/new", "n", tx: 1);
        twin.Write(twin.A, "/t/other", "o");
        twin.LiveUpdate();
        Assert.Contains("TRANSACTION_END tx=1 \"OK", twin.Do(twin.A, Op.TransactionEnd, 1, "T"));
        Assert.Equal("TRANSACTION_START \"3\\x00\"", twin.Do(twin.A, Op.TransactionStart, 0, ""));
        twin.DrainAndCompare();
    }

    [Fact]
    public void Abort()
    {
        var twin = Started();
        twin.Write(twin.A, "/t/a", "tx", tx: 1);
        twin.LiveUpdate();
        Assert.Equal("TRANSACTION_END tx=1 \"OK\\x00\"", twin.Do(twin.A, Op.TransactionEnd, 1, "F"));
        Assert.Equal("READ \"0\"", twin.Do(twin.A, Op.Read, 0, "/t/a"));
        twin.DrainAndCompare();
    }

    [Fact]
    public void Conflict()
    {
        var twin = Started();
        twin.Do(twin.A, Op.Read, 1, "/t/a");
        twin.Write(twin.A, "/t/a", "tx", tx: 1);
        twin.LiveUpdate();
        twin.Write(twin.A, "/t/a", "outside");
        twin.LiveUpdate();
        Assert.Equal("ERROR tx=1 \"EAGAIN\\x00\"", twin.Do(twin.A, Op.TransactionEnd, 1, "T"));
        Assert.Equal("TRANSACTION_START \"3\\x00\"", twin.Do(twin.A, Op.TransactionStart, 0, ""));
        twin.DrainAndCompare();
    }

    [Fact]
    public void Domains_targets_watches_and_queued_events_survive()
    {
        var twin = Started();
        twin.Do(twin.A, Op.Introduce, 0, "1", "1001", "11");
        twin.Do(twin.A, Op.Introduce, 0, "2", "1002", "12");
        twin.Do(twin.A, Op.SetTarget, 0, "1", "2");
        twin.Do(twin.A, Op.Mkdir, 0, "/local/domain/1");
        twin.Do(twin.A, Op.SetPerms, 0, "/local/domain/1", "n1");
        var d1 = Domains.ConnectionId.Ring(1);
        twin.Do(d1, Op.Watch, 0, "data", "rel");
        twin.Do(d1, Op.Watch, 0, "/local/domain/1/data", "abs");
        twin.Write(twin.A, "/local/domain/1/data/x", "queued for D1");
        twin.LiveUpdate();
        twin.Write(twin.A, "/local/domain/1/data/y", "more");
        twin.DrainAndCompare();
    }
}
