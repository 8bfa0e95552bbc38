using System.Text;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>
/// The C daemon answers a MKDIR whose payload lacks its NUL with whatever errno an earlier system call
/// left (allow-list entry 009). The sandbox must not be one of those calls: on a host, the fork and the
/// event-channel and grant calls its stand-ins replace leave errno alone, and a leftover of the
/// sandbox's own would make a fork-served daemon answer unlike a fresh one, or vary with timing.
/// </summary>
[Collection("sandbox daemons")]
public class LeftoverErrnoTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>The request whose error is the leftover errno.</summary>
    private static string LeftoverErrno(DaemonConnection connection, uint id)
    {
        connection.Send(new Packet((uint)Op.Mkdir, id, 0, "/no-nul"u8));
        var (_, end, ending) = connection.ReadUntil(p => p.RequestId == id, Wait);
        var reply = end ?? throw new InvalidOperationException($"no reply to MKDIR: {ending}");
        Assert.Equal(Op.Error, reply.Op);
        return Encoding.Latin1.GetString(reply.Payload).TrimEnd('\0');
    }

    [SandboxFact]
    public void A_fork_served_copy_has_a_fresh_daemons_leftover_errno_not_the_fork_servers()
    {
        string fresh;
        using (var daemon = DaemonProcess.Start(SandboxFixture.Layout, DaemonKind.Xenstored, Wait))
        using (var connection = DaemonConnection.Connect(daemon.SocketPath, Wait))
            fresh = LeftoverErrno(connection, 1);
        using var server = new ForkServer(SandboxFixture.Layout, DaemonKind.Xenstored, Wait);
        for (var copy = 0; copy < 2; copy++)   // the second after the server has reset the run folder once
        {
            using var daemon = server.Fork();
            using var connection = DaemonConnection.Connect(daemon.SocketPath, Wait);
            Assert.Equal(fresh, LeftoverErrno(connection, 1));
        }
    }

    [SandboxFact]
    public void A_guest_that_reads_none_of_its_kicks_leaves_no_errno_behind()
    {
        using var sandbox = new RingSandbox(DaemonKind.Xenstored);
        var guest = sandbox.Introduce(1);
        var home = RingSandbox.Home(1);
        sandbox.As(guest, Op.Watch, home, "flood");
        // Each event the daemon writes into the guest's ring (nodes it may read: under its home) comes
        // with a kick on its event channel. The guest reads none, so its queue of kicks (a datagram
        // socket: 10 by default) fills, and the stand-in's send fails with EAGAIN where a host's notify
        // ioctl succeeds. 15 events leave room in the ring: a full ring would get no more kicks.
        for (var i = 0; i < 15; i++) Assert.Equal(Op.Write, sandbox.Dom0(Op.Write, home + "/flood" + RingSandbox.Number((uint)i), "x").Op);
        using var dom0 = DaemonConnection.Connect(sandbox.Daemon.SocketPath, Wait);
        Assert.NotEqual("EAGAIN", LeftoverErrno(dom0, 1));
    }
}
