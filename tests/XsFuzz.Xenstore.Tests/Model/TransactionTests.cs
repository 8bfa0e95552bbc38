using XsFuzz.Xenstore.Wire;
using static XsFuzz.Xenstore.Tests.Model.Session;

namespace XsFuzz.Xenstore.Tests.Model;

/// <summary>Spec §6.8 [V] worked example, and the commit paths of §6.4.</summary>
public class TransactionTests
{
    [Fact]
    public void Worked_example_of_spec_6_8()
    {
        var s = new Session();
        Assert.Equal(Ok("WATCH") + " | " + Event("/t", "w"), s.Do(s.A, Op.Watch, "/t", "w"));
        Assert.Equal("TRANSACTION_START \"1\\x00\"", s.Do(s.A, Op.TransactionStart, ""));
        Assert.Equal("WRITE tx=1 \"OK\\x00\"", s.Write(s.A, "/t/a", "1", tx: 1));
        Assert.Equal("READ tx=1 \"1\"", s.DoTx(s.A, 1, Op.Read, "/t/a"));
        Assert.Equal(Err("ENOENT"), s.Do(s.A, Op.Read, "/t/a"));
        Assert.Equal(Ok("WATCH") + " | " + Event("/t/x", "w2"), s.DoTx(s.A, 1, Op.Watch, "/t/x", "w2"));
        Assert.Equal("ERROR tx=1 \"EBUSY\\x00\"", s.DoTx(s.A, 1, Op.TransactionStart, ""));
        Assert.Equal(Event("/t/a", "w") + " | TRANSACTION_END tx=1 \"OK\\x00\"", s.DoTx(s.A, 1, Op.TransactionEnd, "T"));
        Assert.Equal("ERROR tx=1 \"EIO\\x00\"", s.DoTx(s.A, 1, Op.TransactionEnd, "T"));
        Assert.Equal(Err("ENOENT"), s.DoTx(s.A, 0, Op.TransactionEnd, "T"));
        Assert.Equal("TRANSACTION_START \"2\\x00\"", s.Do(s.A, Op.TransactionStart, ""));
        Assert.Equal("ERROR tx=2 \"EINVAL\\x00\"", s.DoTx(s.A, 2, Op.TransactionEnd, "X"));
        Assert.Equal("TRANSACTION_END tx=2 \"OK\\x00\"", s.DoTx(s.A, 2, Op.TransactionEnd, "F"));

        // conflict: the transaction read what somebody else then changed
        Assert.Equal("TRANSACTION_START \"3\\x00\"", s.Do(s.A, Op.TransactionStart, ""));
        s.DoTx(s.A, 3, Op.Read, "/t/a");
        s.Write(s.A, "/t/a", "w4", tx: 3);
        Assert.Equal(Ok("WRITE") + " | " + Event("/t/a", "w"), s.Write(s.A, "/t/a", "outside"));
        Assert.Equal("ERROR tx=3 \"EAGAIN\\x00\"", s.DoTx(s.A, 3, Op.TransactionEnd, "T"));
        // the failed replay used id 4
        Assert.Equal("TRANSACTION_START \"5\\x00\"", s.Do(s.A, Op.TransactionStart, ""));
        s.DoTx(s.A, 5, Op.Read, "/t/c");
        s.Write(s.A, "/t/c", "c", tx: 5);
        s.Write(s.A, "/t/a", "again");
        s.Take(s.A);
        // /t changed, so no coalescing; the replay reads ENOENT again and writes: it commits
        Assert.Equal(Event("/t/c", "w") + " | TRANSACTION_END tx=5 \"OK\\x00\"", s.DoTx(s.A, 5, Op.TransactionEnd, "T"));
        Assert.Equal("TRANSACTION_START \"7\\x00\"", s.Do(s.A, Op.TransactionStart, ""));
    }

    [Fact]
    public void Disjoint_subtrees_coalesce_without_using_an_id()
    {
        var s = new Session();
        s.Write(s.A, "/t/c", "0");
        s.Write(s.A, "/t/a", "0");
        Assert.Equal("TRANSACTION_START \"1\\x00\"", s.Do(s.A, Op.TransactionStart, ""));
        s.DoTx(s.A, 1, Op.Read, "/t/c");
        s.Write(s.A, "/t/c", "new", tx: 1);
        s.Write(s.A, "/t/a", "outside");
        Assert.Equal("TRANSACTION_END tx=1 \"OK\\x00\"", s.DoTx(s.A, 1, Op.TransactionEnd, "T"));
        Assert.Equal("READ \"new\"", s.Do(s.A, Op.Read, "/t/c"));
        Assert.Equal("READ \"outside\"", s.Do(s.A, Op.Read, "/t/a"));
        Assert.Equal("TRANSACTION_START \"2\\x00\"", s.Do(s.A, Op.TransactionStart, ""));
    }

    [Fact]
    public void A_successful_replay_uses_an_extra_id()
    {
        var s = new Session();
        s.Write(s.A, "/t/a", "0");
        Assert.Equal("TRANSACTION_START \"1\\x00\"", s.Do(s.A, Op.TransactionStart, ""));
        s.DoTx(s.A, 1, Op.Read, "/t/a");
        s.Write(s.A, "/t/new", "n", tx: 1);
        s.Write(s.A, "/t/other", "o");
        Assert.Equal("TRANSACTION_END tx=1 \"OK\\x00\"", s.DoTx(s.A, 1, Op.TransactionEnd, "T"));
        Assert.Equal("READ \"n\"", s.Do(s.A, Op.Read, "/t/new"));
        Assert.Equal("TRANSACTION_START \"3\\x00\"", s.Do(s.A, Op.TransactionStart, ""));
    }

    [Fact]
    public void Commit_events_follow_op_order_with_duplicates()
    {
        var s = new Session();
        s.Write(s.A, "/t/c", "");
        s.Do(s.A, Op.Watch, "/t", "w");
        s.Take(s.A);
        s.Do(s.A, Op.TransactionStart, "");
        s.Write(s.A, "/t/p/q/r", "1", tx: 1);
        s.DoTx(s.A, 1, Op.Rm, "/t/c");
        s.DoTx(s.A, 1, Op.SetPerms, "/t/p", "n0");
        s.Write(s.A, "/t/p/q/r", "2", tx: 1);
        Assert.Equal(
            string.Join(" | ", Event("/t/p/q/r", "w"), Event("/t/c", "w"), Event("/t/p", "w"), Event("/t/p/q/r", "w"),
                "TRANSACTION_END tx=1 \"OK\\x00\""),
            s.DoTx(s.A, 1, Op.TransactionEnd, "T"));
    }

    [Fact]
    public void Read_only_commit_succeeds_even_after_a_change()
    {
        var s = new Session();
        s.Write(s.A, "/a", "1");
        s.Do(s.A, Op.TransactionStart, "");
        Assert.Equal("READ tx=1 \"1\"", s.DoTx(s.A, 1, Op.Read, "/a"));
        s.Write(s.A, "/a", "2");
        Assert.Equal("TRANSACTION_END tx=1 \"OK\\x00\"", s.DoTx(s.A, 1, Op.TransactionEnd, "T"));
    }

    [Fact]
    public void A_non_store_op_inside_makes_replay_impossible()
    {
        var s = new Session();
        s.Write(s.A, "/a", "1");
        s.Do(s.A, Op.TransactionStart, "");
        s.Write(s.A, "/b", "x", tx: 1);
        s.DoTx(s.A, 1, Op.Control, "print", "hello");
        s.Write(s.A, "/c", "outside");
        Assert.Equal("ERROR tx=1 \"EAGAIN\\x00\"", s.DoTx(s.A, 1, Op.TransactionEnd, "T"));
    }

    [Fact]
    public void Reset_watches_drops_every_transaction()
    {
        var s = new Session();
        s.Do(s.A, Op.TransactionStart, "");
        Assert.Equal("RESET_WATCHES tx=1 \"OK\\x00\"", s.DoTx(s.A, 1, Op.ResetWatches, ""));
        Assert.Equal("ERROR tx=1 \"EIO\\x00\"", s.DoTx(s.A, 1, Op.Read, "/"));
        Assert.Equal("TRANSACTION_START \"2\\x00\"", s.Do(s.A, Op.TransactionStart, ""));
    }

    [Theory]
    [InlineData("T")]
    [InlineData("T\0")]
    [InlineData("T\0junk")]
    public void End_reads_only_the_first_piece(string payload)
    {
        var s = new Session();
        s.Do(s.A, Op.TransactionStart, "");
        s.Write(s.A, "/x", "1", tx: 1);
        Assert.Equal("TRANSACTION_END tx=1 \"OK\\x00\"", s.Raw(s.A, (uint)Op.TransactionEnd, payload, tx: 1));
        Assert.Equal("READ \"1\"", s.Do(s.A, Op.Read, "/x"));
    }
}
