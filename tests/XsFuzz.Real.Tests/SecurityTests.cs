using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;
using static XsFuzz.Real.Tests.RingSandbox;

namespace XsFuzz.Real.Tests;

/// <summary>
/// Reproducers of daemon bugs that an unprivileged guest triggers through its own ring: security bugs
/// (see SECURITY.md). Each test asserts the bug as Debian 12's daemon has it, so it fails, and must be
/// revisited, once a fixed package is what the sandbox downloads.
/// </summary>
public class SecurityTests
{
    /// <summary>
    /// C xenstored 4.17 (class of XSA-481 / CVE-2026-23555): after a successful WATCH, a request whose
    /// path is empty leaves errno 0, no reply is sent and <c>assert(conn->in == NULL)</c> in
    /// consider_message aborts the daemon. A guest needs no privilege for either request. Without the
    /// WATCH the same DIRECTORY only fails (with a stale errno).
    /// </summary>
    [SandboxFact]
    public void A_guest_aborts_the_C_daemon_with_WATCH_then_an_empty_DIRECTORY()
    {
        using var sandbox = new RingSandbox(DaemonKind.Xenstored);
        var guest = sandbox.Introduce(1);
        Assert.Equal("OK", Text(sandbox.As(guest, Op.Watch, "data", "t0").Reply));
        guest.Send(new Packet((uint)Op.Directory, 50, 0, []));
        var (_, reply, _) = guest.ReadUntil(p => p.RequestId == 50 && p.Op != Op.WatchEvent, TimeSpan.FromSeconds(2));
        Assert.Null(reply);
        var death = sandbox.Daemon.DeathNote(TimeSpan.FromSeconds(5));
        Assert.Equal("xenstored_core.c:2118: consider_message: Assertion `conn->in == NULL' failed.", death);
    }

    /// <summary>
    /// oxenstored 4.17: a guest may SET_PERMS a node it owns with a negative domid in an ACL entry
    /// ("r-5"; oxenstored parses it and answers OK). The live-update dump writes that ACL, the restore
    /// cannot parse it back (int_of_string), drops the node's line and then every line below it:
    /// after the update the node and its whole subtree are gone, children owned by other domains
    /// included, and no watch fires for them.
    /// </summary>
    [SandboxFact]
    public void A_guests_negative_domid_ACL_makes_oxenstoreds_next_live_update_drop_its_subtree()
    {
        using var sandbox = new RingSandbox(DaemonKind.Oxenstored);
        var guest = sandbox.Introduce(1);
        Assert.Equal("OK", Text(sandbox.Dom0(Op.Introduce, "2", "0", "2")));
        Assert.Equal("OK", Text(sandbox.As(guest, Op.Write, "data", "x").Reply));
        Assert.Equal("OK", Text(sandbox.Dom0(Op.Write, Home(1) + "/data/child", "c")));
        Assert.Equal("OK", Text(sandbox.Dom0(Op.SetPerms, Home(1) + "/data/child", "n2")));   // domain 2's node
        Assert.Equal("OK", Text(sandbox.As(guest, Op.SetPerms, "data", "n1", "r-5").Reply));
        Assert.Equal("c", Text(sandbox.Dom0(Op.Read, Home(1) + "/data/child")));

        var update = sandbox.LiveUpdate();
        Assert.True(update.Status == LiveUpdateStatus.Done, update.Reason + ": " + update.Detail);

        Assert.Equal("ENOENT", Text(sandbox.Dom0(Op.Read, Home(1) + "/data")));
        Assert.Equal("ENOENT", Text(sandbox.Dom0(Op.Read, Home(1) + "/data/child")));
        Assert.Equal("ENOENT", Text(sandbox.As(guest, Op.Read, "data").Reply));
        Assert.Null(sandbox.Daemon.DeathNote(TimeSpan.Zero));
    }
}
