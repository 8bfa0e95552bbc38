using XsFuzz.Serve.Tests.Support;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;
using static XsFuzz.Serve.Tests.Support.Replies;

namespace XsFuzz.Serve.Tests;

/// <summary>
/// CONTROL <c>live-update -s</c> over the socket: answered as oxenstored answers (BUSY, then OK from
/// the restarted daemon), with a real dump and restore of the served state in between.
/// </summary>
public class LiveUpdateTests
{
    private static readonly string[] Start = ["live-update", "-s"];

    [Fact]
    public void Live_update_answers_busy_then_ok_and_keeps_nodes_perms_watches_and_clients()
    {
        using var served = ServedModel.Start();
        using var a = served.Connect();
        using var b = served.Connect();
        AssertOk(a.Call(Op.Write, 0, "/lu/a", "v"), Op.Write, "OK\0");
        AssertOk(a.Call(Op.SetPerms, 0, "/lu/a", "n0", "r5"), Op.SetPerms, "OK\0");
        AssertOk(a.Call(Op.Watch, 0, "/lu", "tok"), Op.Watch, "OK\0");
        Assert.Equal(new Packet((uint)Op.WatchEvent, 0, 0, "/lu\0tok\0"u8), a.Receive(WireClient.DefaultTimeout));

        // The same sequence on Debian's oxenstored gives the same packets (no NUL after BUSY and OK).
        AssertOk(a.Call(Op.Control, 0, Start), Op.Control, "BUSY");
        Assert.True(served.Log.WaitFor("live update 1: state dumped and restored", TimeSpan.FromSeconds(5)), served.Log.Text);
        AssertOk(a.Call(Op.Control, 0, Start), Op.Control, "OK");
        AssertOk(a.Call(Op.Read, 0, "/lu/a"), Op.Read, "v");
        AssertOk(a.Call(Op.GetPerms, 0, "/lu/a"), Op.GetPerms, "n0\0r5\0");
        AssertOk(b.Call(Op.Write, 0, "/lu/b", "w"), Op.Write, "OK\0");
        Assert.Equal(new Packet((uint)Op.WatchEvent, 0, 0, "/lu/b\0tok\0"u8), a.Receive(WireClient.DefaultTimeout));
        Assert.Empty(a.Events);
    }

    [Fact]
    public void A_planted_fault_is_applied_by_the_served_live_update()
    {
        using var served = ServedModel.Start(LiveUpdateFault.PermEntryLost);
        using var a = served.Connect();
        AssertOk(a.Call(Op.Write, 0, "/lu/a", "v"), Op.Write, "OK\0");
        AssertOk(a.Call(Op.SetPerms, 0, "/lu/a", "n0", "r5"), Op.SetPerms, "OK\0");

        AssertOk(a.Call(Op.Control, 0, Start), Op.Control, "BUSY");
        AssertOk(a.Call(Op.Control, 0, Start), Op.Control, "OK");

        // The planted bug drops the last ACL entry in the restore: proof that a real dump/restore ran.
        AssertOk(a.Call(Op.GetPerms, 0, "/lu/a"), Op.GetPerms, "n0\0");
        Assert.Contains("planted fault: perm-entry-lost", served.Log.Text, StringComparison.Ordinal);
    }
}
