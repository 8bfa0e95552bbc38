using XsFuzz.Harness.Running;
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
// One collection: the sandbox tests run one after another, so each can check that no daemon is left.
[Collection("sandbox daemons")]
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

    // The second guest-triggered finding (oxenstored, see SECURITY.md) is under embargo: its ring
    // reproducer stays out of this repository until the Xen Project security team has published it.
}
