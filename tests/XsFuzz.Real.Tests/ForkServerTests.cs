using System.Diagnostics;
using System.Text;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Campaign;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>The shim's fork server (scripts/real/forkserver.c) on Debian's daemons, and a death as a finding.</summary>
[Collection("sandbox daemons")]
public class ForkServerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static Packet Call(DaemonConnection connection, Op op, uint id, params string[] args)
    {
        var request = Packet.Request(op, id, 0, args);
        connection.Send(request);
        var (_, end, ending) = connection.ReadUntil(p => p.RequestId == id, Wait);
        return end ?? throw new InvalidOperationException($"no reply to {op}: {ending}");
    }

    [SandboxFact]
    public void Each_copy_starts_from_the_state_at_the_first_poll_and_dies_when_disposed()
    {
        foreach (var kind in new[] { DaemonKind.Xenstored, DaemonKind.Oxenstored })
        {
            using var server = new ForkServer(SandboxFixture.Layout, kind, Wait);
            var pids = new List<int>();
            for (var copy = 0; copy < 3; copy++)
            {
                using var daemon = server.Fork();
                pids.Add(daemon.Pid);
                using (var connection = DaemonConnection.Connect(daemon.SocketPath, Wait))
                {
                    // What an earlier copy wrote is not there: every copy forks from the same daemon.
                    Assert.Equal(Op.Error, Call(connection, Op.Read, 1, "/left-by-a-copy").Op);
                    Assert.Equal("OK\0", Encoding.Latin1.GetString(Call(connection, Op.Write, 2, "/left-by-a-copy", "x").Payload));
                }
                Assert.True(daemon.IsRunning);
                Assert.Null(daemon.DeathNote(TimeSpan.Zero));
            }
            Assert.Equal(3, pids.Distinct().Count());
            Assert.Equal(1, server.Starts);
            foreach (var pid in pids) Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
        }
        Assert.Equal(0, DaemonReaper.Count);
    }

    [SandboxFact]
    public void A_copy_killed_from_outside_has_a_death_note_and_the_next_copy_serves()
    {
        using var server = new ForkServer(SandboxFixture.Layout, DaemonKind.Xenstored, Wait);
        using (var daemon = server.Fork())
        {
            Process.GetProcessById(daemon.Pid).Kill();
            Assert.Equal("killed by signal 9", daemon.DeathNote(Wait));
            Assert.False(daemon.IsRunning);
        }
        using (var daemon = server.Fork())
        using (var connection = DaemonConnection.Connect(daemon.SocketPath, Wait))
            Assert.Equal(Op.Read, Call(connection, Op.Read, 1, "/").Op);
        Assert.Equal(1, server.Starts);
    }

    [Fact]
    public void A_death_without_a_divergence_is_a_finding_whose_signature_is_the_death_note()
    {
        var scenario = ScenarioParser.Parse(ScenarioText.Header + "\nA1 tx0 READ /\n");
        Assert.Null(OutcomeFinding.Of(new ScenarioOutcome(null, new RunStats(), ""), scenario));
        var finding = OutcomeFinding.Of(new ScenarioOutcome(null, new RunStats(), "pid 1", "A died: killed by signal 6"), scenario);
        Assert.NotNull(finding);
        Assert.Equal("A died: killed by signal 6", finding.Signature);
        Assert.Equal(CheckPoint.FinalState, finding.Point);
        Assert.Contains("pid 1", finding.Failure, StringComparison.Ordinal);
    }
}
