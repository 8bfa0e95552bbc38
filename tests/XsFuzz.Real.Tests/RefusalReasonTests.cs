using XsFuzz.RealDaemons.Running;

namespace XsFuzz.Real.Tests;

/// <summary>oxenstored's blocker list, one line per connection, turned into value-free reasons.</summary>
public class RefusalReasonTests
{
    [Fact]
    public void The_control_sockets_own_queued_reply_is_not_a_reason()
    {
        // At the deadline the runner's last poll may still have its BUSY reply queued (CI saw this).
        var result = OxenstoredLiveUpdate.Refused("A1: 1 tx, out: false, perm: n0\nA3: 0 tx, out: true, perm: n0");
        Assert.Equal("open transactions", result.Reason);
    }

    /// <summary>Seen with a listener of 64 watches and 21 writes: its kernel buffer full, A2's events stay in oxenstored's queue.</summary>
    [Fact]
    public void The_listeners_unread_output_is_a_reason()
    {
        Assert.Equal("unread output", OxenstoredLiveUpdate.Refused("A2: 0 tx, out: true, perm: 0\"rw\"").Reason);
    }

    [Fact]
    public void A_domains_unread_ring_output_and_its_transactions_are_both_reasons()
    {
        var result = OxenstoredLiveUpdate.Refused("D5: 2 tx, out: true, perm: n5");
        Assert.Equal("open transactions + unread output", result.Reason);
    }

    [Fact]
    public void A_guest_without_transactions_or_output_is_blocked_by_its_permissions_but_dom0s_ring_is_not()
    {
        Assert.Equal(OxenstoredLiveUpdate.SetTargetReason, OxenstoredLiveUpdate.Refused("D2: 0 tx, out: false, perm: n2 b1").Reason);
        Assert.Equal("partial input", OxenstoredLiveUpdate.Refused("D0: 0 tx, out: false, perm: n0").Reason);
    }

    /// <summary>
    /// The perm oxenstored prints is Perms.Connection.to_string (main, then the target if any, each
    /// <c>domid"letters"</c>): a guest with a target is blocked by its permissions, one without by a
    /// request it has only begun to write.
    /// </summary>
    [Fact]
    public void A_guest_without_a_target_is_blocked_by_its_half_written_request()
    {
        Assert.Equal(OxenstoredLiveUpdate.PartialInputReason, OxenstoredLiveUpdate.Refused("D3: 0 tx, out: false, perm: 3\"n\"").Reason);
        Assert.Equal(OxenstoredLiveUpdate.SetTargetReason, OxenstoredLiveUpdate.Refused("D3: 0 tx, out: false, perm: 3\"n\"1\"rw\"").Reason);
    }

    /// <summary>
    /// A <c>-t 0</c> refusal over the control socket lists the control socket's own BUSY reply: alone,
    /// it means nothing else blocks (ask again with the wait); with other lines, one socket line with
    /// output goes (the first not named A1 or A2, the scenario's sockets) and the rest is the refusal.
    /// </summary>
    [Fact]
    public void The_control_sockets_own_reply_is_dropped_from_a_quick_refusal()
    {
        Assert.Null(OxenstoredLiveUpdate.WithoutOwnReply("A4: 0 tx, out: true, perm: 0\"rw\""));
        Assert.Equal("D5: 1 tx, out: false, perm: n5", OxenstoredLiveUpdate.WithoutOwnReply("D5: 1 tx, out: false, perm: n5\nA4: 0 tx, out: true, perm: 0\"rw\""));
        Assert.Equal("A2: 0 tx, out: true, perm: 0\"rw\"", OxenstoredLiveUpdate.WithoutOwnReply("A2: 0 tx, out: true, perm: 0\"rw\"\nA4: 0 tx, out: true, perm: 0\"rw\""));
        Assert.Equal("A1: 1 tx, out: true, perm: 0\"rw\"", OxenstoredLiveUpdate.WithoutOwnReply("A1: 1 tx, out: true, perm: 0\"rw\"\nA2: 0 tx, out: true, perm: 0\"rw\""));
        Assert.Equal("D3: 0 tx, out: false, perm: n3 b1", OxenstoredLiveUpdate.WithoutOwnReply("D3: 0 tx, out: false, perm: n3 b1"));
    }
}
