using System.Buffers.Binary;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Xenstore.Tests.Migration;

/// <summary>
/// A dump cut into its records, to build streams a daemon could not have written: edit the bodies,
/// then <see cref="Seal"/> writes them back with valid checksums, so that restore judges the content.
/// </summary>
internal sealed class StreamEditor
{
    /// <summary>Where the first record of a type starts in a dump, and its framed length (checksum included).</summary>
    public static (int Start, int Length) Locate(byte[] dump, RecordType wanted)
    {
        var at = StreamFormat.HeaderSize;
        while (true)
        {
            var type = (RecordType)BinaryPrimitives.ReadUInt32LittleEndian(dump.AsSpan(at));
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(dump.AsSpan(at + 4));
            var framed = StreamFormat.RecordHeaderSize + length + StreamFormat.Padding(length) + StreamFormat.ChecksumSize;
            if (type == wanted) return (at, framed);
            if (type == RecordType.End) throw new ArgumentException($"no {wanted} record");
            at += framed;
        }
    }

    public StreamEditor(byte[] dump)
    {
        var at = StreamFormat.HeaderSize;
        while (true)
        {
            var type = (RecordType)BinaryPrimitives.ReadUInt32LittleEndian(dump.AsSpan(at));
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(dump.AsSpan(at + 4));
            if (type == RecordType.End) break;
            Records.Add((type, dump.AsSpan(at + StreamFormat.RecordHeaderSize, length).ToArray()));
            at += StreamFormat.RecordHeaderSize + length + StreamFormat.Padding(length) + StreamFormat.ChecksumSize;
        }
    }

    /// <summary>Every record but END, in stream order.</summary>
    public List<(RecordType Type, byte[] Body)> Records { get; } = [];

    public int IndexOf(RecordType type) => Records.FindIndex(r => r.Type == type);

    /// <summary>The live root: the last NODE before LIVE_STORE (nodes come children first).</summary>
    public int LiveRootIndex => IndexOf(RecordType.LiveStore) - 1;

    public void InsertBefore(int index, RecordType type, byte[] body) => Records.Insert(index, (type, body));

    public byte[] Seal()
    {
        var writer = new RecordWriter();
        using var stream = new MemoryStream();
        writer.WriteHeader(stream);
        foreach (var (type, body) in Records) writer.Start().Raw(body).WriteTo(stream, type);
        writer.WriteEnd(stream);
        return stream.ToArray();
    }

    /// <summary>A NODE body: stamp, name, empty value, perms (owner, other n, no ACL), children.</summary>
    public static byte[] Node(long stamp, string name, long owner = 0, params long[] children)
    {
        var w = new RecordWriter().Start().I64(stamp).Text(name).Bytes([]).I64(owner).U8(0).U32(0).U32((uint)children.Length);
        foreach (var child in children) w.I64(child);
        return Body(w);
    }

    /// <summary>The same NODE body with one more child stamp.</summary>
    public static byte[] WithChild(byte[] node, long child)
    {
        var at = 8;
        at += 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(node.AsSpan(at)); // name
        at += 4 + (int)BinaryPrimitives.ReadUInt32LittleEndian(node.AsSpan(at)); // value
        at += 8 + 1;                                                             // owner, other
        at += 4 + 9 * (int)BinaryPrimitives.ReadUInt32LittleEndian(node.AsSpan(at)); // acl
        var copy = node.Concat(new byte[8]).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), BinaryPrimitives.ReadUInt32LittleEndian(node.AsSpan(at)) + 1);
        BinaryPrimitives.WriteInt64LittleEndian(copy.AsSpan(node.Length), child);
        return copy;
    }

    public static byte[] Body(RecordWriter writer)
    {
        using var stream = new MemoryStream();
        writer.WriteTo(stream, RecordType.Node);
        var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(stream.GetBuffer().AsSpan(4));
        return stream.GetBuffer().AsSpan(StreamFormat.RecordHeaderSize, length).ToArray();
    }
}
