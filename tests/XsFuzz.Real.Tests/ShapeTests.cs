using XsFuzz.Harness.Reporting;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.Harness.Running;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

public class ShapeTests
{
    private static Packet P(Op op, string payload, uint rid = 1) => new((uint)op, rid, 0, Latin1.Encode(payload));
    private static Delivery D(params Packet[] packets) => new(packets, Ending.Complete);

    [Fact]
    public void Shapes_name_the_first_difference_without_values()
    {
        Assert.Equal("ERROR(ENOENT) instead of READ", DeliveryShape.Describe(D(P(Op.Error, "ENOENT\0")), D(P(Op.Read, "v"))));
        Assert.Equal("ERROR(EIO) instead of ERROR(ENOENT)", DeliveryShape.Describe(D(P(Op.Error, "EIO\0")), D(P(Op.Error, "ENOENT\0"))));
        Assert.Equal("READ payload", DeliveryShape.Describe(D(P(Op.Read, "a")), D(P(Op.Read, "b"))));
        Assert.Equal("WATCH_EVENT missing in A", DeliveryShape.Describe(D(P(Op.Read, "a")), D(P(Op.Read, "a"), P(Op.WatchEvent, "/a\0t\0", 0))));
        Assert.Equal("WATCH_EVENT extra in A", DeliveryShape.Describe(D(P(Op.Read, "a"), P(Op.WatchEvent, "/a\0t\0", 0)), D(P(Op.Read, "a"))));
        Assert.Equal("READ request id", DeliveryShape.Describe(D(P(Op.Read, "a", 1)), D(P(Op.Read, "a", 2))));
        Assert.Equal("closed in A, answered in B", DeliveryShape.Describe(Delivery.ClosedEmpty, D(P(Op.Read, "a"))));
        Assert.Equal("no answer in A, answered in B", DeliveryShape.Describe(new Delivery([], Ending.Timeout), D()));
    }

    [Fact]
    public void Reorderings_are_told_apart_from_changes()
    {
        Assert.Equal("DEBUG payload (same lines, other order)",
            DeliveryShape.Describe(D(P(Op.Control, "watch A1: /a t\nwatch A2: /b t\n\0")), D(P(Op.Control, "watch A2: /b t\nwatch A1: /a t\n\0"))));
        Assert.Equal("DEBUG payload",
            DeliveryShape.Describe(D(P(Op.Control, "watch A3: /a t\nwatch A1: /b t\n\0")), D(P(Op.Control, "watch A1: /a t\nwatch A2: /b t\n\0"))));
        Assert.Equal("the same packets in another order", DeliveryShape.Describe(
            D(P(Op.Write, "OK\0", 2), P(Op.WatchEvent, "/a\0t0\0", 0), P(Op.WatchEvent, "/a\0t1\0", 0)),
            D(P(Op.Write, "OK\0", 2), P(Op.WatchEvent, "/a\0t1\0", 0), P(Op.WatchEvent, "/a\0t0\0", 0))));
        Assert.Equal("DIRECTORY payload (same items, other order)", DeliveryShape.Describe(D(P(Op.Directory, "a\0b\0")), D(P(Op.Directory, "b\0a\0"))));
    }

    /// <summary>
    /// Repeated watch events (the C daemon coalesces an event with an identical one still queued) are
    /// told apart from lost, new or changed ones.
    /// </summary>
    [Fact]
    public void Repeated_watch_events_are_told_apart_from_lost_or_new_ones()
    {
        var e0 = P(Op.WatchEvent, "/a\0t0\0", 0);
        var e1 = P(Op.WatchEvent, "/a\0t1\0", 0);
        Assert.Equal("more copies of the same WATCH_EVENTs in A", DeliveryShape.Describe(D(e0, e1, e0, e1), D(e0, e1, e1)));
        Assert.Equal("more copies of the same WATCH_EVENTs in B", DeliveryShape.Describe(D(e0, e1), D(e0, e1, e0)));
        // Each side repeated other events: copies both ways, nothing lost.
        Assert.Equal("other numbers of copies of the same WATCH_EVENTs", DeliveryShape.Describe(D(e0, e1, e0), D(e0, e1, e1)));
        Assert.Equal("other numbers of copies of the same WATCH_EVENTs",
            DeliveryShape.Describe(D(P(Op.Write, "OK\0", 2), e0, e0, e1), D(e0, P(Op.Write, "OK\0", 2), e1, e1)));
        // The same, but a reply differs too: not only copies.
        Assert.Equal("WRITE instead of WATCH_EVENT", DeliveryShape.Describe(D(P(Op.Write, "OK\0", 2), e0, e0, e1), D(e0, P(Op.Write, "OK\0", 3), e1, e1)));
        // A new event, not a copy: still "extra".
        Assert.Equal("WATCH_EVENT extra in A", DeliveryShape.Describe(D(e0, e1), D(e0)));
        // A lost one beside a copy: the first difference is named.
        Assert.Equal("WATCH_EVENT payload", DeliveryShape.Describe(D(e0, e0, e0), D(e0, e1)));
        // A copy of a reply is no watch event.
        Assert.Equal("READ extra in A", DeliveryShape.Describe(D(P(Op.Read, "a"), P(Op.Read, "a")), D(P(Op.Read, "a"))));
    }

    [Fact]
    public void Control_requests_are_named_by_their_sub_command()
    {
        Assert.Equal("DEBUG watches", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 0, "watches\0")));
        Assert.Equal("DEBUG ?", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 0, "\x01\x02\0")));
        Assert.Equal("WRITE", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 11, "/a\0v")));
        Assert.Equal("RELEASE (negative domid)", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 9, "-57\0")));
        Assert.Equal("SET_TARGET (reserved domid)", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 19, "2101496130\0000\0")));
        Assert.Equal("SET_TARGET (reserved domid)", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 19, "\0002101496130\0")));
        Assert.Equal("SET_TARGET", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 19, "3\0005\0")));
        Assert.Equal("DEBUG mfn (negative domid)", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 0, "mfn\0-21\0")));
        // A request over the ring of such a domain, naming none itself, and that ring's drains.
        Assert.Equal("SET_PERMS (negative domid)", StepNames.Of(new Harness.Scenarios.RequestCommand(ConnectionId.Ring(-42), 0, 14, "\0")));
        // An ACL entry names a domain: the first odd one tags the SET_PERMS.
        Assert.Equal("SET_PERMS (negative domid)", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 14, "/tool\0r1\0n-1606385406\0")));
        Assert.Equal("SET_PERMS (reserved domid)", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 14, "/a\0b32752\0r-3\0")));
        Assert.Equal("SET_PERMS", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 14, "/a\0r5\0w\u009eT\0n\0")));
        Assert.Equal("IS_DOMAIN_INTRODUCED (reserved domid)", StepNames.Of(new Harness.Scenarios.RequestCommand(ConnectionId.Ring(513146), 0, 17, "0\0")));
        Assert.Equal("RELEASE (negative domid)", StepNames.Of(new Harness.Scenarios.RequestCommand(ConnectionId.Ring(513146), 0, 9, "-57\0")));
        Assert.Equal("WRITE", StepNames.Of(new Harness.Scenarios.RequestCommand(ConnectionId.Ring(5), 0, 11, "a\0b")));
        Assert.Equal("WRITE", StepNames.Of(new Harness.Scenarios.RequestCommand(ConnectionId.Socket(2), 0, 11, "a\0b")));
        Assert.Equal(" (reserved domid)", StepNames.OfConnection(ConnectionId.Ring(0x7FF0)));
        Assert.Equal("", StepNames.OfConnection(ConnectionId.Ring(0x7FEF)));
        Assert.Equal("RELEASE", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 9, "3\0")));
        // Types the protocol does not define share one name, whatever their number.
        Assert.Equal("unknown type", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 65, "")));
        Assert.Equal("unknown type", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 1094795585, "a\0")));
        Assert.Equal("DIRECTORY_PART", StepNames.Of(new Harness.Scenarios.RequestCommand(default, 0, 22, "/\0")));
    }

    [Fact]
    public void Walk_shapes_name_the_first_difference_daemon_paths_and_hide_the_others()
    {
        var b = "/  perms n0  value \"\"\n/a  perms n0  value \"1\"\n";
        var a = "/  perms n0  value \"\"\n/a  perms n0  value \"2\"\n/tool/xenstored  perms n0  value \"x\"\n";
        Assert.Equal("[value: *]", WalkShape.Describe(a, b));
        Assert.Equal("[node extra in A: /tool/xenstored]", WalkShape.Describe(a, a.Replace("/tool/xenstored  perms n0  value \"x\"\n", "", StringComparison.Ordinal)));
        Assert.Equal("[node missing in A: /tool/xenstored]", WalkShape.Describe(a.Replace("/tool/xenstored  perms n0  value \"x\"\n", "", StringComparison.Ordinal), a));
        Assert.Equal("[perms and value: /]", WalkShape.Describe("/  perms n5  value \"v\"\n", "/  perms n0  value \"\"\n"));
        Assert.Equal("[node missing in A: *]", WalkShape.Describe("/  perms n0  value \"\"\n/b  perms n0  value \"\"\n",
            "/  perms n0  value \"\"\n/a  perms n0  value \"\"\n/b  perms n0  value \"\"\n"));
        Assert.Equal("[node missing in A: * (out-of-range domid in perms)]", WalkShape.Describe("/  perms n0  value \"\"\n",
            "/  perms n0  value \"\"\n/local/domain/-8  perms n9223372036854775800  value \"\"\n"));
        Assert.Equal("[perms: / (out-of-range domid in perms)]", WalkShape.Describe("/  perms b0 b0 n65514  value \"\"\n", "/  perms b0 b0 n-22  value \"\"\n"));
        Assert.Equal("[perms: /tool (out-of-range domid in perms)]", WalkShape.Describe("/tool  perms n46067  value \"\"\n", "/tool  perms n439283  value \"\"\n"));
        Assert.Equal("[perms: /tool]", WalkShape.Describe("/tool  perms n5  value \"\"\n", "/tool  perms n6  value \"\"\n"));
        Assert.Equal("[node missing in A: * (unreadable)]", WalkShape.Describe("/  perms n0  value \"\"\n",
            "/  perms n0  value \"\"\n/@foo/bar  perms ERROR ENOENT  value ERROR ENOENT\n"));
    }
}
