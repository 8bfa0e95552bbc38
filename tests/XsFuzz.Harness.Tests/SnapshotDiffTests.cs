using XsFuzz.Harness.Reporting;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Tests;

/// <summary>The shape of a state difference names what differs, also when no line is new to either side.</summary>
public class SnapshotDiffTests
{
    private const string Base = "counters next=1\nnode /a #1\nqueued P1\nqueued P2\nqueued P2\nconnection A1\n";

    [Fact]
    public void A_changed_line_is_named_by_its_section()
    {
        Assert.Equal("[node]", SnapshotDiff.Shape(Base, Base.Replace("node /a #1", "node /a #7")));
        Assert.Equal("[]", SnapshotDiff.Shape(Base, Base));
    }

    [Fact]
    public void A_pure_reordering_is_named_as_an_order_difference()
    {
        var swapped = Base.Replace("queued P1\nqueued P2\n", "queued P2\nqueued P1\n");
        Assert.Equal("[queued (order)]", SnapshotDiff.Shape(Base, swapped));
        var diff = SnapshotDiff.Unified(Base, swapped);
        // one of the two moves: removed at one place and added at the other
        var lines = diff.Split('\n');
        var removed = lines.Where(l => l.StartsWith("-queued ", StringComparison.Ordinal)).Select(l => l[1..]);
        var added = lines.Where(l => l.StartsWith("+queued ", StringComparison.Ordinal)).Select(l => l[1..]);
        Assert.NotEmpty(removed.Intersect(added));
    }

    [Fact]
    public void A_lost_or_extra_repeat_is_named_as_a_repeats_difference()
    {
        var lost = Base.Replace("queued P2\nqueued P2\n", "queued P2\n");
        Assert.Equal("[queued (repeats)]", SnapshotDiff.Shape(Base, lost));
        Assert.Equal("[queued (repeats)]", SnapshotDiff.Shape(lost, Base));
        Assert.Contains("-queued P2", SnapshotDiff.Unified(Base, lost));
    }

    [Fact]
    public void A_line_moved_to_another_place_is_named_even_in_a_section_of_its_own()
    {
        // the same "pending" line under another watch: no line is new, no section keeps its own order
        var a = "watch #1\n  pending E\nwatch #2\n";
        var b = "watch #1\nwatch #2\n  pending E\n";
        Assert.NotEqual("[]", SnapshotDiff.Shape(a, b));
    }

    [Fact]
    public void Different_snapshots_never_give_an_empty_shape()
    {
        Assert.Equal("[(other)]", SnapshotDiff.Shape("a\n", "a"));
    }

    /// <summary>Two planted bugs that used to share "state differs in []": now each says what it broke.</summary>
    [Theory]
    [InlineData(LiveUpdateFault.OutputReversed, "[queued (order)]")]
    [InlineData(LiveUpdateFault.OutputRepeatDropped, "[queued (repeats)]")]
    public void Planted_order_and_repeat_faults_give_their_own_shapes(LiveUpdateFault fault, string shape)
    {
        var daemon = new Xenstored();
        var reader = daemon.OpenSocket();
        var writer = daemon.OpenSocket();
        daemon.Handle(reader, Packet.Request(Op.Watch, 1, 0, "/w", "t"));
        daemon.Handle(writer, Packet.WriteRequest(2, 0, "/w", "1"u8));
        daemon.Handle(writer, Packet.WriteRequest(3, 0, "/w", "2"u8));
        daemon.TakeOutput(writer);
        // the reader's queue: its WATCH reply, the initial event, then two equal events
        var updated = daemon.LiveUpdate(fault);
        Assert.Equal(shape, SnapshotDiff.Shape(StateSnapshot.Of(updated).Text, StateSnapshot.Of(daemon).Text));
    }
}
