using System.Diagnostics;
using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>
/// A dead daemon is noticed at once (<see cref="ExitWatch"/>): a guest's ring has no end that closes,
/// so without the watch every ring step of a dead daemon waited out its whole timeout. The daemon's
/// ring side here is a <see cref="FakeRingDaemon"/> that never answers (stalled) and its process a
/// `sleep` that the test kills. Every wait below is a minute: only a wait that ends on the death
/// passes (one that ran out would end as a timeout).
/// </summary>
public sealed class DeathDetectionTests : IDisposable
{
    private const uint Domid = 4;
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
    private readonly string _run = Directory.CreateTempSubdirectory("xsdeath").FullName;
    private readonly Process _process = StartSleeper();

    public void Dispose()
    {
        Kill(_process);
        _process.Dispose();
        Directory.Delete(_run, recursive: true);
    }

    private static Process StartSleeper()
    {
        var start = new ProcessStartInfo("sleep", "600") { UseShellExecute = false };
        return Process.Start(start) ?? throw new InvalidOperationException("cannot run sleep");
    }

    private static void Kill(Process process)
    {
        if (!process.HasExited) process.Kill();
        process.WaitForExit();
    }

    [Fact]
    public void An_exit_watch_sees_the_exit_of_a_process_that_is_not_its_child()
    {
        // A fork server's copy is its grandchild's equal: the shell's child, not this process's.
        var start = new ProcessStartInfo("bash", ["-c", "sleep 600 & echo $!; wait"]) { UseShellExecute = false, RedirectStandardOutput = true };
        using var shell = Process.Start(start)!;
        var pid = int.Parse(shell.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
        using var watch = ExitWatch.Of(pid);
        Assert.False(watch.Exited);
        using (var grandchild = Process.GetProcessById(pid)) grandchild.Kill();
        Assert.True(watch.Wait(Long));
        Assert.True(watch.Exited);
        shell.WaitForExit();
    }

    [Fact]
    public void A_process_that_is_gone_already_reads_as_exited()
    {
        var pid = _process.Id;
        Kill(_process);
        using var watch = ExitWatch.Of(pid);
        Assert.True(watch.Exited);
    }

    [Fact]
    public void Waiting_for_a_reply_on_the_ring_of_a_dead_daemon_ends_at_once_as_closed()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, 6) { Stalled = true };
        using var exit = ExitWatch.Of(_process.Id);
        using var client = RingConnection.Open(_run, Domid, Long, daemon: exit);
        client.Send(Packet.Request(Op.Read, 1, 0, "/x"));
        Kill(_process);
        var (before, end, ending) = client.ReadUntil(p => p.RequestId == 1, Long);
        Assert.Equal(Ending.Closed, ending);
        Assert.Null(end);
        Assert.Empty(before);
        Assert.True(client.Closed);
    }

    [Fact]
    public void A_death_during_the_wait_ends_it()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, 6) { Stalled = true };
        using var exit = ExitWatch.Of(_process.Id);
        using var client = RingConnection.Open(_run, Domid, Long, daemon: exit);
        client.Send(Packet.Request(Op.Read, 1, 0, "/x"));
        var killer = new Thread(() => Kill(_process));        // dies before or while the client waits
        killer.Start();
        var (_, _, ending) = client.ReadUntil(p => p.RequestId == 1, Long);
        killer.Join();
        Assert.Equal(Ending.Closed, ending);
    }

    [Fact]
    public void What_the_daemon_wrote_before_it_died_is_still_read()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, 6) { Stalled = true };
        using var exit = ExitWatch.Of(_process.Id);
        using var client = RingConnection.Open(_run, Domid, Long, daemon: exit);
        var watchEvent = Packet.Request(Op.WatchEvent, 0, 0, "/w", "token");
        daemon.Push(watchEvent);
        Assert.True(SpinWait.SpinUntil(() => client.Page.Responses.Unread > 0, Long));
        Kill(_process);
        var (before, end, ending) = client.ReadUntil(p => p.RequestId == 1, Long);
        Assert.Equal(Ending.Closed, ending);
        Assert.Null(end);
        Assert.Equal(watchEvent, Assert.Single(before));
    }

    [Fact]
    public void Sending_into_the_full_ring_of_a_dead_daemon_gives_up_at_once()
    {
        using var daemon = new FakeRingDaemon(_run, Domid, 6) { Stalled = true };
        using var exit = ExitWatch.Of(_process.Id);
        using var client = RingConnection.Open(_run, Domid, Long, daemon: exit);
        client.SendTimeout = Long;
        Kill(_process);
        client.Send(Packet.WriteRequest(1, 0, "/big", new byte[3000]));   // more than req[] holds
        Assert.True(client.Closed);
        Assert.False(client.WaitConsumed(Long));
    }

    [Fact]
    public void Opening_the_ring_of_a_dead_daemon_does_not_wait_for_its_port()
    {
        using var exit = ExitWatch.Of(_process.Id);
        Kill(_process);
        var e = Assert.Throws<TimeoutException>(() => RingConnection.Open(_run, 9, Long, daemon: exit));
        Assert.Contains("domain 9: the daemon exited", e.Message);
    }
}
