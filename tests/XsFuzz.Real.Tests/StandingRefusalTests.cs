using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>Which of oxenstored's refusals are counted again without asking, and what lifts them.</summary>
public class StandingRefusalTests
{
    private static LiveUpdateResult Refusal(string lines) => OxenstoredLiveUpdate.Refused(lines);

    private static StandingRefusal RefusedFor(string lines)
    {
        var standing = new StandingRefusal(DaemonKind.Oxenstored);
        standing.Asked(Refusal(lines));
        return standing;
    }

    private static Packet Request(Op op, params string[] args) => Packet.Request(op, 1, 0, args);

    [Fact]
    public void Open_transactions_stand_over_plain_store_and_watch_requests()
    {
        var standing = RefusedFor("A1: 1 tx, out: false, perm: n0");
        foreach (var op in new[] { Op.Read, Op.Write, Op.Mkdir, Op.Rm, Op.Directory, Op.GetPerms, Op.SetPerms, Op.Watch, Op.Unwatch, Op.TransactionStart, Op.GetDomainPath, Op.IsDomainIntroduced })
        {
            standing.Sending(Request(op, "/a", "b"));
            Assert.Equal(StandingRefusal.TransactionsAgain, standing.Standing()?.Reason);
        }
        Assert.Equal(LiveUpdateStatus.Refused, standing.Standing()?.Status);
    }

    [Theory]
    [InlineData(Op.TransactionEnd)]
    [InlineData(Op.ResetWatches)]
    [InlineData(Op.Control)]
    [InlineData(Op.Resume)]
    [InlineData((Op)99)]
    public void Anything_else_lifts_open_transactions(Op op)
    {
        var standing = RefusedFor("D3: 2 tx, out: false, perm: n3");
        standing.Sending(Request(op, "T"));
        Assert.Null(standing.Standing());
    }

    /// <summary>RELEASE ends only its own domain's transactions; INTRODUCE and SET_TARGET end none.</summary>
    [Fact]
    public void Only_a_RELEASE_of_a_domain_that_holds_them_lifts_open_transactions()
    {
        const string blockers = "A1: 1 tx, out: false, perm: n0\nD5: 2 tx, out: false, perm: n5\nD7: 0 tx, out: true, perm: n7";
        var standing = RefusedFor(blockers);
        standing.Sending(Request(Op.Introduce, "5", "1005", "15"));
        standing.Sending(Request(Op.SetTarget, "5", "7"));
        standing.Sending(Request(Op.Release, "11"));
        standing.Sending(Request(Op.Release, "7"));
        standing.Sending(new Packet((uint)Op.Release, 1, 0, "5"u8));   // no NUL: refused before any change
        Assert.Equal(StandingRefusal.TransactionsAgain, standing.Standing()?.Reason);
        standing.Sending(Request(Op.Release, "5"));
        Assert.Null(standing.Standing());

        foreach (var unsure in new[] { "0x5", "5_0", "+5", " 5", "99999999999999999999" })
        {
            standing = RefusedFor(blockers);
            standing.Sending(Request(Op.Release, unsure));
            Assert.Null(standing.Standing());
        }

        standing = RefusedFor("D-3: 1 tx, out: false, perm: n-3");
        standing.Sending(Request(Op.Release, "3"));
        Assert.NotNull(standing.Standing());
        standing.Sending(Request(Op.Release, "-3"));
        Assert.Null(standing.Standing());
    }

    [Fact]
    public void An_over_long_request_or_one_written_in_parts_lifts_them()
    {
        var standing = RefusedFor("A1: 1 tx, out: false, perm: n0");
        standing.Sending(new Packet((uint)Op.Write, 1, 0, new byte[Packet.PayloadMax + 1]));
        Assert.Null(standing.Standing());

        standing = RefusedFor("A1: 1 tx, out: false, perm: n0");
        standing.SendingPart();
        Assert.Null(standing.Standing());
    }

    [Fact]
    public void SET_TARGET_permissions_stand_until_INTRODUCE_RELEASE_SET_TARGET_or_a_request_in_parts()
    {
        const string target = "D2: 0 tx, out: false, perm: 2\"n\"1\"rw\"";
        foreach (var lift in new Action<StandingRefusal>[]
        {
            s => s.Sending(Request(Op.Introduce, "2", "1", "1")),
            s => s.Sending(Request(Op.Release, "2")),
            s => s.Sending(Request(Op.SetTarget, "2", "0")),
            s => s.SendingPart(),
        })
        {
            var standing = RefusedFor(target);
            standing.Sending(Request(Op.TransactionEnd, "T"));
            Assert.Equal(StandingRefusal.SetTargetAgain, standing.Standing()?.Reason);
            lift(standing);
            Assert.Null(standing.Standing());
        }
    }

    [Fact]
    public void Other_refusals_a_done_update_and_the_C_daemon_are_asked_again()
    {
        Assert.Null(RefusedFor("A2: 0 tx, out: true, perm: 0\"rw\"").Standing());
        Assert.Null(RefusedFor("D4: 0 tx, out: false, perm: 4\"n\"").Standing());

        var standing = RefusedFor("A1: 1 tx, out: false, perm: n0");
        standing.Asked(LiveUpdateResult.Done);
        Assert.Null(standing.Standing());

        var c = new StandingRefusal(DaemonKind.Xenstored);
        c.Asked(new LiveUpdateResult(LiveUpdateStatus.Refused, OxenstoredLiveUpdate.TransactionsReason, ""));
        Assert.Null(c.Standing());
    }
}
