using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Tests.Migration;

/// <summary>
/// Streams no live daemon can write, each with valid checksums (issue 16's restore probes): restore
/// must reject every one with a RestoreException that says why, and never crash or run away.
/// </summary>
public class HostileStreamTests
{
    private static byte[] SampleDump()
    {
        var twin = new Twin();
        twin.Write(twin.A, "/t/a", "value");
        twin.Do(twin.A, Op.Watch, 0, "/t", "w");
        twin.Do(twin.A, Op.TransactionStart, 0, "");
        twin.Write(twin.A, "/t/b", "tx", tx: 1);
        twin.Do(twin.A, Op.Introduce, 0, "3", "1003", "13");
        return MigrationStream.DumpToBytes(twin.Updated);
    }

    /// <summary>Hangs extra NODE records (negative stamps: below the next stamp, unused) under the live root.</summary>
    private static string Rejection(Action<StreamEditor, List<byte[]>> build, long attachTo)
    {
        var editor = new StreamEditor(SampleDump());
        var nodes = new List<byte[]>();
        build(editor, nodes);
        var root = editor.LiveRootIndex;
        foreach (var node in nodes) editor.InsertBefore(root++, RecordType.Node, node);
        editor.Records[root] = (RecordType.Node, StreamEditor.WithChild(editor.Records[root].Body, attachTo));
        return Assert.Throws<RestoreException>(() => MigrationStream.Restore(editor.Seal())).Message;
    }

    [Fact]
    public void The_sealed_editor_round_trips_a_real_dump()
    {
        var dump = SampleDump();
        Assert.Equal(dump, new StreamEditor(dump).Seal());
    }

    [Fact]
    public void A_chain_40000_deep_is_rejected_without_recursion()
    {
        var message = Rejection((_, nodes) =>
        {
            nodes.Add(StreamEditor.Node(-1, "a"));
            for (var i = 2; i <= 40_000; i++) nodes.Add(StreamEditor.Node(-i, "a", 0, -(i - 1)));
        }, -40_000);
        Assert.Contains("deeper than any path", message);
    }

    [Fact]
    public void A_chain_just_beyond_the_longest_path_is_rejected()
    {
        // 2,100 levels of "a": a path of 4,200 characters, longer than a request can carry.
        var message = Rejection((_, nodes) =>
        {
            nodes.Add(StreamEditor.Node(-1, "a"));
            for (var i = 2; i <= 2_100; i++) nodes.Add(StreamEditor.Node(-i, "a", 0, -(i - 1)));
        }, -2_100);
        Assert.Contains("deeper than any path", message);
    }

    [Fact]
    public void Nodes_reached_through_several_parents_are_rejected()
    {
        // 40 layers of two nodes, each pointing at both nodes of the layer below: 2^40 paths.
        var message = Rejection((_, nodes) =>
        {
            nodes.Add(StreamEditor.Node(-1, "x"));
            nodes.Add(StreamEditor.Node(-2, "y"));
            for (var layer = 1; layer < 40; layer++)
            {
                long below = -(2 * layer - 1), stamp = -(2 * layer + 1);
                nodes.Add(StreamEditor.Node(stamp, "x", 0, below, below - 1));
                nodes.Add(StreamEditor.Node(stamp - 1, "y", 0, below, below - 1));
            }
            nodes.Add(StreamEditor.Node(-1000, "dag", 0, -79, -80));
        }, -1000);
        Assert.Contains("reachable at two paths", message);
    }

    /// <summary>The error names both paths, spelt out from where the walk placed the node.</summary>
    [Fact]
    public void A_node_under_two_parents_is_rejected_with_both_paths()
    {
        var message = Rejection((_, nodes) =>
        {
            nodes.Add(StreamEditor.Node(-3, "c"));
            nodes.Add(StreamEditor.Node(-1, "x", 0, -3));
            nodes.Add(StreamEditor.Node(-2, "y", 0, -3));
            nodes.Add(StreamEditor.Node(-4, "p", 0, -1, -2));
        }, -4);
        Assert.Contains("reachable at two paths", message);
        Assert.Contains("/p/x/c", message);
        Assert.Contains("/p/y/c", message);
    }

    /// <summary>
    /// A first component starting with <c>@</c> may hold <c>/</c>: a node under <c>"@a/b"</c> and under
    /// <c>"@a"</c> then <c>"b"</c> sits at one path text, <c>/@a/b/c</c>, which restore accepts. The check
    /// walks the two parent chains and compares texts when they differ, as it compared texts before.
    /// </summary>
    [Fact]
    public void A_node_at_one_path_text_through_different_parents_is_accepted()
    {
        var editor = new StreamEditor(SampleDump());
        var root = editor.LiveRootIndex;
        editor.InsertBefore(root++, RecordType.Node, StreamEditor.Node(-3, "c"));
        editor.InsertBefore(root++, RecordType.Node, StreamEditor.Node(-1, "@a/b", 0, -3));
        editor.InsertBefore(root++, RecordType.Node, StreamEditor.Node(-4, "b", 0, -3));
        editor.InsertBefore(root++, RecordType.Node, StreamEditor.Node(-2, "@a", 0, -4));
        editor.Records[root] = (RecordType.Node, StreamEditor.WithChild(StreamEditor.WithChild(editor.Records[root].Body, -1), -2));
        var restored = MigrationStream.Restore(editor.Seal());
        Assert.Equal(restored.State.Live.Root.Child("@a/b")!.Child("c")!.Stamp, restored.State.Live.Root.Child("@a")!.Child("b")!.Child("c")!.Stamp);
    }

    [Fact]
    public void An_owner_with_bit_63_set_is_rejected()
    {
        var message = Rejection((_, nodes) => nodes.Add(StreamEditor.Node(-1, "evil", long.MinValue + 5)), -1);
        Assert.Contains("outside OCaml's 63-bit integers", message);
    }

    [Fact]
    public void A_domain_without_a_connection_is_rejected()
    {
        var editor = new StreamEditor(SampleDump());
        var domain = new RecordWriter().Start().I32(7).I64(1007).I64(17);
        editor.InsertBefore(editor.IndexOf(RecordType.Global) + 1, RecordType.Domain, Body(domain, RecordType.Domain));
        var message = Assert.Throws<RestoreException>(() => MigrationStream.Restore(editor.Seal())).Message;
        Assert.Contains("domain 7 has no ring connection", message);
    }

    [Fact]
    public void A_changed_value_byte_is_a_checksum_error_naming_the_record()
    {
        var twin = new Twin();
        twin.Write(twin.A, "/v", "ABCDEFGH");
        var dump = MigrationStream.DumpToBytes(twin.Updated);
        dump[dump.AsSpan().IndexOf("ABCDEFGH"u8) + 2] = (byte)'x';
        var message = Assert.Throws<RestoreException>(() => MigrationStream.Restore(dump)).Message;
        Assert.StartsWith("Node record", message);
        Assert.Contains("checksum mismatch", message);
    }

    [Fact]
    public void A_record_removed_whole_is_caught_by_the_stream_checksum()
    {
        var dump = SampleDump();
        var (start, length) = StreamEditor.Locate(dump, RecordType.Watch);
        var cut = dump[..start].Concat(dump[(start + length)..]).ToArray();
        var message = Assert.Throws<RestoreException>(() => MigrationStream.Restore(cut)).Message;
        Assert.Contains("stream checksum does not match", message);
    }

    private static byte[] Body(RecordWriter writer, RecordType type)
    {
        using var stream = new MemoryStream();
        writer.WriteTo(stream, type);
        var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(stream.GetBuffer().AsSpan(4));
        return stream.GetBuffer().AsSpan(StreamFormat.RecordHeaderSize, length).ToArray();
    }
}
