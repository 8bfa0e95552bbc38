using XsFuzz.Xenstore.Wire;
using static XsFuzz.Xenstore.Tests.Model.Session;

namespace XsFuzz.Xenstore.Tests.Model;

/// <summary>Spec §5 [V] examples: each limit and its off-by-one.</summary>
public class QuotaTests
{
    private static string Quota(Session s, int domid) => s.Do(s.A, Op.Control, "quota", $"{domid}");

    [Fact]
    public void Entry_quota_example_of_spec_5_2()
    {
        var s = new Session(new XenstoredConfig { MaxEntity = 20 });
        s.Introduce(1);
        s.Home(1);
        for (var i = 0; i < 18; i++) Assert.Equal(Ok("WRITE"), s.Write(D(1), $"n{i}", "x"));
        Assert.Equal("DEBUG \"dom1 quota: 19/20\\x00\"", Quota(s, 1));
        Assert.Equal(Ok("WRITE"), s.Write(D(1), "last", "x"));
        Assert.Equal("DEBUG \"dom1 quota: 20/20\\x00\"", Quota(s, 1));
        Assert.Equal(Err("EQUOTA"), s.Write(D(1), "over", "x"));
        Assert.Equal(Err("EQUOTA"), s.Do(D(1), Op.Mkdir, "over"));
        Assert.Equal(Ok("WRITE"), s.Write(D(1), "n0", "new"));
        Assert.Equal(Ok("RM"), s.Do(D(1), Op.Rm, "n0"));
        Assert.Equal("DEBUG \"dom1 quota: 19/20\\x00\"", Quota(s, 1));
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "/local/domain/1/y", "x"));
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "/local/domain/1/z", "x"));
        Assert.Equal("DEBUG \"dom1 quota: 21/20\\x00\"", Quota(s, 1));
        Assert.Equal("DEBUG \"dom77 quota: not set\\x00\"", Quota(s, 77));
    }

    [Fact]
    public void A_domU_may_hold_one_watch_more_than_maxwatch()
    {
        var s = new Session(new XenstoredConfig { MaxWatch = 3 });
        s.Introduce(1);
        for (var i = 0; i < 4; i++) Assert.StartsWith(Ok("WATCH"), s.Do(D(1), Op.Watch, $"/w{i}", "t"));
        Assert.Equal(Err("EQUOTA"), s.Do(D(1), Op.Watch, "/w9", "t"));
        Assert.Equal(Err("EQUOTA"), s.Do(D(1), Op.Watch, "/w0", "t")); // quota before the duplicate check
    }

    [Fact]
    public void A_domU_may_hold_eleven_transactions()
    {
        var s = new Session();
        s.Introduce(1);
        for (var i = 1; i <= 11; i++) Assert.Equal($"TRANSACTION_START \"{i}\\x00\"", s.Do(D(1), Op.TransactionStart, ""));
        Assert.Equal(Err("EQUOTA"), s.Do(D(1), Op.TransactionStart, ""));
    }

    [Fact]
    public void Requests_per_transaction_end_with_a_stuck_transaction()
    {
        var s = new Session(new XenstoredConfig { MaxRequests = 4 });
        s.Introduce(1);
        s.Home(1);
        s.Do(D(1), Op.TransactionStart, "");
        for (var i = 0; i < 3; i++) Assert.Equal("ERROR tx=1 \"ENOENT\\x00\"", s.DoTx(D(1), 1, Op.Read, "nothing"));
        Assert.Equal("TRANSACTION_END tx=1 \"OK\\x00\"", s.DoTx(D(1), 1, Op.TransactionEnd, "T"));

        s.Do(D(1), Op.TransactionStart, "");
        for (var i = 0; i < 4; i++) s.DoTx(D(1), 2, Op.Read, "nothing");
        Assert.Equal("ERROR tx=2 \"EQUOTA\\x00\"", s.DoTx(D(1), 2, Op.TransactionEnd, "T"));
        Assert.Equal("ERROR tx=2 \"EQUOTA\\x00\"", s.DoTx(D(1), 2, Op.TransactionEnd, "F"));
        Assert.Equal(Ok("RESET_WATCHES"), s.Do(D(1), Op.ResetWatches, ""));
        Assert.Equal("ERROR tx=2 \"EIO\\x00\"", s.DoTx(D(1), 2, Op.Read, "nothing"));
    }

    [Fact]
    public void Set_perms_moves_entries_without_a_check()
    {
        var s = new Session();
        s.Introduce(3);
        s.Write(s.A, "/x", "");
        s.Do(s.A, Op.SetPerms, "/x", "n3");
        Assert.Equal("DEBUG \"dom3 quota: 1/1000\\x00\"", Quota(s, 3));
        Assert.Equal("DEBUG \"dom0 quota: 5/1000\\x00\"", Quota(s, 0));
    }

    [Fact]
    public void Release_deletes_the_count_and_the_subtree_of_owned_nodes()
    {
        var s = new Session();
        s.Introduce(4);
        s.Write(s.A, "/x", "");
        s.Do(s.A, Op.SetPerms, "/x", "n0");
        s.Write(s.A, "/x/y", "");
        s.Do(s.A, Op.SetPerms, "/x/y", "n4");
        Assert.Equal(Ok("RELEASE"), s.Do(s.A, Op.Release, "4"));
        Assert.Equal("DEBUG \"dom4 quota: not set\\x00\"", Quota(s, 4));
        Assert.Equal(Err("ENOENT"), s.Do(s.A, Op.Read, "/x/y"));
    }
}
