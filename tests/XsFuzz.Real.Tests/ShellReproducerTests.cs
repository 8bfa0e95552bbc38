using System.Diagnostics;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Harness.Running;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>
/// The shell reproducer of a real-daemon finding: xenstore-utils commands for what they can send,
/// comments for the rest, the outcomes and the domU note in the header, valid POSIX sh. (test-real.sh
/// runs the scripts of the allow-list's traces against the sandbox daemons.)
/// </summary>
public class ShellReproducerTests
{
    private static readonly RunDescription Lu = new(PairMode.LiveUpdate, DaemonKind.Oxenstored);

    private static Packet P(Op op, string payload) => new((uint)op, 1, 0, Latin1.Encode(payload));

    private static string Render(string scenario, Divergence d) => ShellReproducer.Render(Lu, ScenarioParser.Parse(scenario), d);

    [Fact]
    public void Dom0_steps_become_xenstore_utils_commands_with_the_outcomes_as_comments()
    {
        var script = Render("""
            # xsfuzz scenario
            node /a "x" n-5
            D0 tx0 RM /tool/xenstored
            A1 tx0 WATCH /a t1
            LIVE-UPDATE
            D0 tx0 READ /tool/xenstored
            D0 tx0 DEBUG watches
            """,
            new Divergence(CheckPoint.Reply, 4, null, Xenstore.Xenstored.Dom0,
                new Delivery([P(Op.Read, "/usr/sbin/oxenstored")], Ending.Complete),
                new Delivery([P(Op.Error, "ENOENT\0")], Ending.Complete), null, null, null, "reply to READ: READ instead of ERROR(ENOENT)"));
        Assert.StartsWith("#!/bin/sh\n", script);
        Assert.Contains("#   signature: reply to READ: READ instead of ERROR(ENOENT)\n", script);
        Assert.Contains("#   ERROR rid=1 tx=0 \"ENOENT\\x00\"\n", script); // expected (B)
        Assert.Contains("#   READ rid=1 tx=0 \"/usr/sbin/oxenstored\"\n", script); // observed (A)
        Assert.Contains("run xenstore-write /a x\nrun xenstore-chmod /a n-5\n", script);
        Assert.Contains("run xenstore-rm /tool/xenstored\n", script);
        Assert.Contains("watch_start w2 /a\n", script);
        Assert.Contains("run xenstore-control live-update \"$XENSTORED_BINARY\"\n", script);
        Assert.Contains("# >> step 4: D0 tx0 READ /tool/xenstored\nrun xenstore-read /tool/xenstored\n", script);
        Assert.Contains("run xenstore-control watches\n", script);
        Assert.Contains("watch_stop w2\n", script);
        Assert.Contains(": \"${XENSTORED_BINARY:=/usr/lib/xen-4.17/bin/oxenstored}\"", script);
        Assert.DoesNotContain("NEEDS DOMUS", script);
        Assert.DoesNotContain("cannot send", script);
        AssertValidSh(script);
    }

    [Fact]
    public void Domains_are_a_note_and_unsendable_steps_are_comments()
    {
        var script = Render("""
            # xsfuzz scenario
            domain 1 target 0
            A1 tx0 TRANSACTION_START
            A1 tx1 WRITE /a "\x01'%\\"
            LIVE-UPDATE
            A2 tx0 WRITE /b "it's 100%\x80"
            """,
            new Divergence(CheckPoint.LiveUpdate, 3, LiveUpdateCommand.Instance, null, null, null, null, null,
                "daemon died: FATAL", "live update failed: daemon died: FATAL"));
        Assert.Contains("# NEEDS DOMUS: the scenario starts with domain 1 target 0.", script);
        Assert.Contains("xenstore-utils cannot send 2 of the scenario's steps", script);
        Assert.Contains("#   1: A1 tx0 TRANSACTION_START\n", script);
        Assert.Contains("# observed: the live update failed:\n#   daemon died: FATAL\n", script);
        Assert.Contains("run xenstore-write /b \"$(printf 'it\\047s 100\\045\\200')\"\n", script);
        AssertValidSh(script);
    }

    [Fact]
    public void A_guests_requests_are_not_sent_from_dom0()
    {
        var script = Render("""
            # xsfuzz scenario
            domain 3
            D3 tx0 READ data
            D0 tx0 READ /local/domain/3/data
            """,
            new Divergence(CheckPoint.Reply, 1, null, Xenstore.Domains.ConnectionId.Ring(3),
                new Delivery([P(Op.Read, "x")], Ending.Complete), new Delivery([P(Op.Error, "ENOENT\0")], Ending.Complete),
                null, null, null, "reply to READ: READ instead of ERROR(ENOENT)"));
        Assert.Contains("# >> step 1: D3 tx0 READ data\n# (not sent: a guest's request", script);
        Assert.DoesNotContain("run xenstore-read data\n", script);
        Assert.Contains("run xenstore-read /local/domain/3/data\n", script);
        Assert.Contains("#   1: D3 tx0 READ data\n", script);
        AssertValidSh(script);
    }

    private static void AssertValidSh(string script)
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, script, System.Text.Encoding.Latin1);
            using var sh = Process.Start(new ProcessStartInfo("sh", ["-n", file]) { RedirectStandardError = true })!;
            var errors = sh.StandardError.ReadToEnd();
            sh.WaitForExit();
            Assert.True(sh.ExitCode == 0, errors);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
