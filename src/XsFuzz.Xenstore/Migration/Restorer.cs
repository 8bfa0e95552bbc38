using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Permissions;
using XsFuzz.Xenstore.Processing;
using XsFuzz.Xenstore.Quotas;
using XsFuzz.Xenstore.Store;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Watches;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Migration;

/// <summary>
/// Rebuilds a daemon from a live-update stream, validating as it goes: any defect is a
/// <see cref="RestoreException"/> and no daemon comes out of a defective stream.
/// </summary>
/// <remarks>The stream is the first <c>length</c> bytes of <c>buffer</c>: a dump's own buffer restores without a copy.</remarks>
internal sealed class Restorer(byte[] buffer, int length, LiveUpdateFault fault)
{
    public Restorer(byte[] bytes, LiveUpdateFault fault) : this(bytes, bytes.Length, fault) { }

    /// <summary>
    /// The longest path a daemon can hold: a relative path filling a whole request payload, made absolute
    /// against the longest home a connection can have. This bounds every tree's depth.
    /// </summary>
    private static readonly int MaxPathLength = Packet.PayloadMax + XsPath.HomeOf(long.MinValue >> 1).Length;

    private readonly int _streamLength = length <= buffer.Length ? length : throw new ArgumentOutOfRangeException(nameof(length));
    private readonly Dictionary<long, Node> _nodes = [];
    /// <summary>Where a tree first reached each node (its path is spelt out only for an error).</summary>
    private readonly Dictionary<long, Place> _places = [];
    /// <summary>The walk's to-do list, one for every tree of the stream.</summary>
    private readonly Stack<(Node Node, Node? Parent, int Depth, int Length)> _walk = new();
    /// <summary>Scratch lists of <see cref="ReadNode"/>, emptied for each node (Node.Restore copies what it keeps).</summary>
    private readonly List<Node> _children = [];
    private readonly List<AclEntry> _acl = [];
    private NodePerms? _lastPerms;
    private readonly Dictionary<uint, Connection> _connections = [];
    /// <summary>Closed connections that detached watches still forward to, by stream id (never live ones).</summary>
    private readonly Dictionary<uint, Connection> _closed = [];
    private readonly Dictionary<long, Watch> _watches = [];
    private Daemon? _daemon;
    private long _lastWatchSequence;

    public Daemon Restore()
    {
        ReadHeader();
        var at = StreamFormat.HeaderSize;
        while (true)
        {
            if (_streamLength - at < StreamFormat.RecordHeaderSize)
                throw new RestoreException($"byte offset {at}: truncated record header (no END record)");
            var type = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at));
            var length = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(at + 4));
            var bodyStart = at + StreamFormat.RecordHeaderSize;
            var known = type <= (uint)RecordType.DetachedWatch;
            // Named only for an error: formatting an enum for every record showed in profiles.
            string name() => known ? ((RecordType)type).ToString() : $"type-{type}";
            if (length > (uint)(_streamLength - bodyStart))
                throw new RestoreException($"{name()} record, byte offset {at}: body of {length} bytes is truncated");
            var padding = StreamFormat.Padding((int)length);
            var checksumAt = bodyStart + (int)length + padding;
            var next = checksumAt + StreamFormat.ChecksumSize;
            if (next > _streamLength)
                throw new RestoreException($"{name()} record, byte offset {bodyStart + length}: truncated padding or checksum");
            // Before anything in the record is believed: a changed byte anywhere in it is caught here.
            if (XxHash64.HashToUInt64(buffer.AsSpan(at, checksumAt - at)) != BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(checksumAt)))
                throw new RestoreException($"{name()} record, byte offset {at}: checksum mismatch (the record was changed)");
            if (buffer.AsSpan(bodyStart + (int)length, padding).IndexOfAnyExcept((byte)0) >= 0)
                throw new RestoreException($"{name()} record, byte offset {bodyStart + length}: non-zero padding");
            if (!known)
                throw new RestoreException($"byte offset {at}: unknown record type {type}");
            var record = new RecordReader(buffer, bodyStart, (int)length, (RecordType)type);
            if (record.Type == RecordType.End)
            {
                // Records removed, repeated or reordered whole keep their own checksums: this one covers them all.
                var whole = record.I64("stream checksum");
                record.ExpectEnd();
                if (unchecked((ulong)whole) != XxHash64.HashToUInt64(buffer.AsSpan(0, at)))
                    throw record.Error("the stream checksum does not match (records were removed, added or reordered)", bodyStart);
                if (next != _streamLength) throw new RestoreException($"byte offset {next}: data after the END record");
                return Finish(record);
            }
            if (_daemon is null && record.Type != RecordType.Global) throw record.Error("the GLOBAL record must come first", at);
            Read(record);
            record.ExpectEnd();
            at = next;
        }
    }

    private void ReadHeader()
    {
        if (_streamLength < StreamFormat.HeaderSize) throw new RestoreException($"byte offset {_streamLength}: truncated header");
        if (!buffer.AsSpan(0, 8).SequenceEqual(StreamFormat.Magic)) throw new RestoreException("byte offset 0: wrong magic (not a xenstore stream)");
        var version = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(8));
        if (version != StreamFormat.Version) throw new RestoreException($"byte offset 8: unknown version 0x{version:x8}");
        var flags = BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(12));
        if (flags != 0) throw new RestoreException($"byte offset 12: unsupported flags 0x{flags:x8}");
    }

    private void Read(RecordReader record)
    {
        switch (record.Type)
        {
            case RecordType.Global: ReadGlobal(record); break;
            case RecordType.Domain: ReadDomain(record); break;
            case RecordType.Node: ReadNode(record); break;
            case RecordType.LiveStore: ReadLiveStore(record); break;
            case RecordType.Connection: ReadConnection(record); break;
            case RecordType.Watch: ReadWatch(record); break;
            case RecordType.Transaction: ReadTransaction(record); break;
            case RecordType.SourceEvents: ReadSourceEvents(record); break;
            case RecordType.PartialInput: ReadPartialInput(record); break;
            case RecordType.ClosedConnection: ReadClosedConnection(record); break;
            case RecordType.DetachedWatch: ReadDetachedWatch(record); break;
        }
    }

    private Daemon Daemon(RecordReader record) => _daemon ?? throw record.Error("no GLOBAL record before this one");

    private void ReadGlobal(RecordReader r)
    {
        var start = r.Offset;
        if (_daemon is not null) throw r.Error("duplicate GLOBAL record", start);
        var config = new XenstoredConfig
        {
            MaxEntity = r.I32("quota-maxentity"), MaxSize = r.I32("quota-maxsize"), MaxWatch = r.I32("quota-maxwatch"),
            MaxTransaction = r.I32("quota-transaction"), MaxRequests = r.I32("quota-maxrequests"),
            PathMax = r.I32("quota-path-max"), MaxOutstanding = r.I32("quota-maxoutstanding"),
            MaxWatchEvents = r.I32("quota-maxwatchevents"), QuotaActivate = r.Bool("quota-activate"),
            PermsActivate = r.Bool("perms-activate"), PermsWatchActivate = r.Bool("perms-watch-activate"),
            MergeActivate = r.Bool("merge-activate"), AllowDebug = r.Bool("allow-debug"),
            ToolXenstoredValue = r.Text("tool-xenstored"), Dom0EventChannel = r.I64("dom0 event channel"),
        };
        var nextStamp = r.I64("next node stamp");
        // The store is filled by later records; this placeholder root is replaced by LIVE_STORE.
        var daemon = new Daemon(config, new NodeStamps(nextStamp), new StoreState(null!, QuotaTable.Empty))
        {
            NextSocketNumber = r.I32("next socket number"),
            NextWatchSequence = r.I64("next watch sequence"),
        };
        daemon.UpdateRequest = new UpdateRequest(r.Bool("live-update pending"), r.Bool("live-update force"),
            r.I64("live-update timeout"), [], r.Text("live-update binary"), []);
        daemon.UpdateRequest = daemon.UpdateRequest with { Result = ReadTexts(r, "live-update result"), ExtraArguments = ReadTexts(r, "live-update arguments") };
        _daemon = daemon;
    }

    private static List<string> ReadTexts(RecordReader r, string field)
    {
        var count = r.Count(field + " count", 4);
        var texts = new List<string>(count);
        for (var i = 0; i < count; i++) texts.Add(r.Text(field));
        return texts;
    }

    private void ReadDomain(RecordReader r)
    {
        var start = r.Offset;
        var domain = new Domain(r.I32("domid"), r.I64("mfn"), ReadOcamlInt(r, "port"));
        if (!Daemon(r).Domains.TryAdd(domain.Domid, domain)) throw r.Error($"duplicate domain {domain.Domid}", start);
    }

    private void ReadNode(RecordReader r)
    {
        var start = r.Offset;
        var stamp = r.I64("stamp");
        var name = r.Text("name");
        var value = r.Bytes("value");
        var perms = ReadPerms(r);
        var count = r.Count("child count", 8);
        var children = _children;
        children.Clear();
        // Dumps list children in byte order, so a name above the previous one is new; only a stream that
        // lists them otherwise needs the set of names seen (made then, from the names before).
        HashSet<string>? names = null;
        for (var i = 0; i < count; i++)
        {
            var at = r.Offset;
            var childStamp = r.I64("child stamp");
            if (!_nodes.TryGetValue(childStamp, out var child)) throw r.Error($"dangling child stamp {childStamp}", at);
            if (child.Name.Length == 0) throw r.Error($"child {childStamp} has an empty name", at);
            if (names is null && i > 0 && string.CompareOrdinal(children[^1].Name, child.Name) >= 0)
                names = new HashSet<string>(children.Select(c => c.Name), StringComparer.Ordinal);
            if (names is not null && !names.Add(child.Name)) throw r.Error($"duplicate child name {Latin1.Quote(child.Name)}", at);
            children.Add(child);
        }
        if (_nodes.ContainsKey(stamp)) throw r.Error($"duplicate node stamp {stamp}", start);
        _nodes[stamp] = Node.Restore(stamp, name, value, perms, children);
    }

    /// <summary>
    /// A node's permissions; the same as the node before's (most are: a subtree's nodes inherit them)
    /// give that node's object again, which is immutable, instead of a new one with its hash.
    /// </summary>
    private NodePerms ReadPerms(RecordReader r)
    {
        var owner = ReadOcamlInt(r, "owner");
        var other = ReadPermKind(r, "other");
        var count = r.Count("acl count", 9);
        _acl.Clear();
        for (var i = 0; i < count; i++) _acl.Add(new AclEntry(ReadOcamlInt(r, "acl domid"), ReadPermKind(r, "acl letter")));
        if (_lastPerms is { } last && last.Owner == owner && last.Other == other && last.Acl.AsSpan().SequenceEqual(CollectionsMarshal.AsSpan(_acl)))
            return last;
        return _lastPerms = new NodePerms(owner, other, [.. _acl]);
    }

    /// <summary>
    /// Domids, ports and targets come from oxenstored's parsers of 63-bit OCaml ints: a value outside
    /// that range (bit 63 differing from bit 62) is no value a daemon can hold.
    /// </summary>
    private static long ReadOcamlInt(RecordReader r, string field)
    {
        var at = r.Offset;
        var value = r.I64(field);
        return (value << 1) >> 1 == value ? value : throw r.Error($"{field} {value} is outside OCaml's 63-bit integers", at);
    }

    private static PermKind ReadPermKind(RecordReader r, string field)
    {
        var at = r.Offset;
        var b = r.U8(field);
        return b <= (byte)PermKind.Both ? (PermKind)b : throw r.Error($"{field} {b} is not a permission", at);
    }

    /// <summary>A tree root: a known node named "" whose descendants all have names valid at their depth.</summary>
    private Node Root(RecordReader r, string field)
    {
        var at = r.Offset;
        var stamp = r.I64(field);
        if (!_nodes.TryGetValue(stamp, out var root)) throw r.Error($"dangling {field} {stamp}", at);
        if (root.Name.Length != 0) throw r.Error($"{field} {stamp} is not a root (named {Latin1.Quote(root.Name)})", at);
        MarkReachable(r, root, at);
        return root;
    }

    /// <summary>
    /// Walks a tree without recursion, placing each node at its path. Trees share nodes (a transaction's
    /// trees are mostly the live tree's), but a shared node sits at the same path in each; a node met at
    /// a second path, or twice in one tree, is no tree a daemon can hold (and would make every later
    /// walk exponential). A node already placed is not walked again, so each node is walked once.
    /// A node's place is its parent there, its depth and its path's length, not the path's text: a
    /// restore made a string per node for the check, and the string is only needed in an error.
    /// </summary>
    private void MarkReachable(RecordReader r, Node root, int at)
    {
        _walk.Push((root, null, -1, 1));
        while (_walk.Count > 0)
        {
            var (node, parent, depth, length) = _walk.Pop();
            if (_places.TryGetValue(node.Stamp, out var placed))
            {
                if (!SamePlace(node, placed, parent, depth)) throw r.Error($"node {node.Stamp} is reachable at two paths, {Latin1.Quote(PathOf(node))} and {Latin1.Quote(PathAt(parent, node.Name, depth))}", at);
                continue;
            }
            _places[node.Stamp] = new Place(parent, depth);
            foreach (var child in node.Children.Values)
            {
                if (!XsPath.IsValidComponent(child.Name, depth + 1)) throw r.Error($"node {child.Stamp} has an invalid name {Latin1.Quote(child.Name)}", at);
                var childLength = depth < 0 ? 1 + child.Name.Length : length + 1 + child.Name.Length;
                if (childLength > MaxPathLength) throw r.Error($"node {child.Stamp} is deeper than any path a client can write ({childLength} characters)", at);
                _walk.Push((child, node, depth + 1, childLength));
            }
        }
    }

    /// <summary>A node's parent in the tree that first reached it (null for a root), and its depth there (-1 for a root).</summary>
    private readonly record struct Place(Node? Parent, int Depth);

    /// <summary>
    /// Whether <paramref name="node"/>, placed at <paramref name="placed"/>, is met again at the same
    /// path text under <paramref name="parent"/> at <paramref name="depth"/>. Most shared nodes hang under a copy of their first
    /// parent at the same path: the two parent chains are walked up until they meet. Only when they
    /// differ in a name or a depth are the texts compared (a component starting with <c>@</c> may hold
    /// <c>/</c>, so different chains can spell one path).
    /// </summary>
    private bool SamePlace(Node node, Place placed, Node? parent, int depth)
    {
        var a = placed.Parent;
        var b = parent;
        while (a is not null && b is not null && !ReferenceEquals(a, b))
        {
            var pa = _places[a.Stamp];
            var pb = _places[b.Stamp];
            if (a.Name != b.Name || pa.Depth != pb.Depth) break;
            a = pa.Parent;
            b = pb.Parent;
        }
        if (ReferenceEquals(a, b)) return true;
        return PathOf(node) == PathAt(parent, node.Name, depth);
    }

    /// <summary>The path text of a placed node, as its tree first reached it.</summary>
    private string PathOf(Node node)
    {
        var place = _places[node.Stamp];
        return PathAt(place.Parent, node.Name, place.Depth);
    }

    /// <summary>The path text of a node named <paramref name="name"/> at <paramref name="depth"/> under a placed <paramref name="parent"/>.</summary>
    private string PathAt(Node? parent, string name, int depth) =>
        parent is null ? "/" : depth == 0 ? "/" + name : PathOf(parent) + "/" + name;

    private static QuotaTable ReadQuota(RecordReader r, string field)
    {
        var count = r.Count(field + " count", 16);
        var counts = new List<KeyValuePair<long, long>>(count);
        for (var i = 0; i < count; i++)
        {
            var at = r.Offset;
            var domid = ReadOcamlInt(r, field + " domid");
            if (i > 0 && domid <= counts[^1].Key) throw r.Error($"{field} domids not strictly ascending", at);
            counts.Add(KeyValuePair.Create(domid, r.I64(field + " entries")));
        }
        return QuotaTable.From(counts);
    }

    private void ReadLiveStore(RecordReader r)
    {
        var start = r.Offset;
        var daemon = Daemon(r);
        if (daemon.Live.Root is not null) throw r.Error("duplicate LIVE_STORE record", start);
        daemon.Live.Root = Root(r, "live root");
        daemon.Live.Quota = ReadQuota(r, "live quota");
    }

    private void ReadConnection(RecordReader r)
    {
        var start = r.Offset;
        var daemon = Daemon(r);
        var streamId = r.U32("connection id");
        var kind = r.U8("connection kind");
        var number = r.I32("connection number");
        var hasTarget = r.Bool("target flag");
        var target = ReadOcamlInt(r, "target");
        var nextTx = r.I64("next transaction id");
        if (streamId == 0 || _connections.ContainsKey(streamId) || _closed.ContainsKey(streamId)) throw r.Error($"invalid or duplicate connection id {streamId}", start);
        if (kind > (byte)ConnectionKind.Socket) throw r.Error($"unknown connection kind {kind}", start);
        var id = new ConnectionId((ConnectionKind)kind, number);
        if (id.Kind == ConnectionKind.Ring && !daemon.Domains.ContainsKey(number)) throw r.Error($"ring {id} of an unknown domain", start);
        if (id.Kind == ConnectionKind.Socket && (number < 1 || number >= daemon.NextSocketNumber)) throw r.Error($"socket {id} was never allocated", start);
        if (daemon.Connections.ContainsKey(id)) throw r.Error($"duplicate connection {id}", start);
        var connection = new Connection(id, id.Kind == ConnectionKind.Ring ? number : 0) { NextTransactionId = nextTx };
        if (hasTarget) connection.Perms = connection.Perms with { Target = target };
        var count = r.Count("output packet count", 16);
        for (var i = 0; i < count; i++)
        {
            var packet = ReadPacket(r);
            connection.Output.Add(packet);
            if (packet.Type == (uint)Op.WatchEvent && fault != LiveUpdateFault.QueuedEventsUncounted) connection.QueuedEvents++;
        }
        _connections[streamId] = connection;
        daemon.AddConnection(connection);
    }

    private static Packet ReadPacket(RecordReader r) =>
        new(r.U32("packet type"), r.U32("packet request id"), r.U32("packet transaction id"), r.Bytes("packet payload"));

    private Connection ConnectionOf(RecordReader r)
    {
        var at = r.Offset;
        var id = r.U32("connection id");
        return _connections.TryGetValue(id, out var connection) ? connection : throw r.Error($"unknown connection id {id}", at);
    }

    private void ReadWatch(RecordReader r)
    {
        var start = r.Offset;
        var daemon = Daemon(r);
        var owner = ConnectionOf(r);
        var sequence = r.I64("sequence");
        var path = r.Text("path");
        var token = r.Text("token");
        if (sequence <= _lastWatchSequence || sequence >= daemon.NextWatchSequence || _watches.ContainsKey(sequence))
            throw r.Error($"watch sequence {sequence} out of order", start);
        _lastWatchSequence = sequence;
        var absolute = XsPath.Absolute(path, owner.Domid);
        if (absolute is null || WatchTrie.KeyOf(absolute) is null) throw r.Error($"invalid watch path {Latin1.Quote(path)}", start);
        if (owner.HasWatch(absolute, token)) throw r.Error($"duplicate watch {Latin1.Quote(path)} {Latin1.Quote(token)} on {owner.Id}", start);
        var watch = new Watch(owner, path, token, absolute, sequence);
        var pending = r.Count("pending event count", 16);
        for (var i = 0; i < pending; i++) watch.PendingEvents.Enqueue(ReadPacket(r));
        var second = owner.WatchesByPath.ContainsKey(absolute);
        daemon.AddWatch(watch);
        PlantTrieFault(daemon, watch, second);
        _watches[sequence] = watch;
    }

    /// <summary>The planted faults that leave the connections' own watch lists right and the global trie wrong.</summary>
    private void PlantTrieFault(Daemon daemon, Watch watch, bool secondOnPath)
    {
        var key = WatchTrie.KeyOf(watch.AbsolutePath)!;
        switch (fault)
        {
            case LiveUpdateFault.TrieWatchDoubled when secondOnPath:
                daemon.Trie.Add(key, watch);
                break;
            case LiveUpdateFault.TrieOrderLost:
                daemon.Trie.Remove(key, watch);
                daemon.Trie.AddOldest(key, watch);
                break;
            case LiveUpdateFault.TrieKeyWrongHome when watch.IsRelative && watch.Owner.Domid != 0:
                daemon.Trie.Remove(key, watch);
                daemon.Trie.Add(WatchTrie.KeyOf(XsPath.Absolute(watch.Path, 0)!)!, watch);
                break;
        }
    }

    /// <summary>
    /// A connection that closed while a detached watch of its still had an event waiting: not served
    /// (not in the daemon), only its queue, which takes events up to its limits and is never read.
    /// </summary>
    private void ReadClosedConnection(RecordReader r)
    {
        var start = r.Offset;
        Daemon(r);
        var streamId = r.U32("connection id");
        var kind = r.U8("connection kind");
        var number = r.I32("connection number");
        if (streamId == 0 || _connections.ContainsKey(streamId) || _closed.ContainsKey(streamId)) throw r.Error($"invalid or duplicate connection id {streamId}", start);
        if (kind > (byte)ConnectionKind.Socket) throw r.Error($"unknown connection kind {kind}", start);
        var id = new ConnectionId((ConnectionKind)kind, number);
        var connection = new Connection(id, id.Kind == ConnectionKind.Ring ? number : 0);
        var count = r.Count("output packet count", 16);
        for (var i = 0; i < count; i++)
        {
            var packet = ReadPacket(r);
            connection.Output.Add(packet);
            if (packet.Type == (uint)Op.WatchEvent) connection.QueuedEvents++;
        }
        _closed[streamId] = connection;
    }

    /// <summary>
    /// A watch no longer registered that a source event waits for (see Dumper.DetachedWatches): it
    /// goes in no list and no trie, and forwards to its owner, live or closed.
    /// </summary>
    private void ReadDetachedWatch(RecordReader r)
    {
        var start = r.Offset;
        var daemon = Daemon(r);
        var at = r.Offset;
        var ownerId = r.U32("connection id");
        if (!_connections.TryGetValue(ownerId, out var owner) && !_closed.TryGetValue(ownerId, out owner))
            throw r.Error($"unknown connection id {ownerId}", at);
        var sequence = r.I64("sequence");
        var path = r.Text("path");
        var token = r.Text("token");
        if (sequence <= 0 || sequence >= daemon.NextWatchSequence || _watches.ContainsKey(sequence))
            throw r.Error($"invalid or duplicate watch sequence {sequence}", start);
        var absolute = XsPath.Absolute(path, owner.Domid);
        if (absolute is null || WatchTrie.KeyOf(absolute) is null) throw r.Error($"invalid watch path {Latin1.Quote(path)}", start);
        var watch = new Watch(owner, path, token, absolute, sequence);
        var pending = r.Count("pending event count", 16);
        for (var i = 0; i < pending; i++) watch.PendingEvents.Enqueue(ReadPacket(r));
        _watches[sequence] = watch;
    }

    /// <summary>Events waiting with the connection whose request caused them, each for a watch the stream holds.</summary>
    private void ReadSourceEvents(RecordReader r)
    {
        var start = r.Offset;
        Daemon(r);
        var source = ConnectionOf(r);
        if (source.SourceEvents.Count > 0) throw r.Error($"duplicate source events of {source.Id}", start);
        var count = r.Count("source event count", 24);
        if (count == 0) throw r.Error("empty source events record", start);
        for (var i = 0; i < count; i++)
        {
            var at = r.Offset;
            var sequence = r.I64("watch sequence");
            if (!_watches.TryGetValue(sequence, out var watch)) throw r.Error($"source event for watch {sequence}, which the stream does not hold", at);
            source.SourceEvents.Enqueue((watch, ReadPacket(r)));
        }
    }

    /// <summary>The start of a request a client had not finished writing: never empty, never a whole packet.</summary>
    private void ReadPartialInput(RecordReader r)
    {
        var start = r.Offset;
        var connection = ConnectionOf(r);
        if (connection.PartialInput.Length > 0) throw r.Error($"duplicate partial input of {connection.Id}", start);
        var bytes = r.Bytes("partial input");
        if (bytes.Length == 0) throw r.Error("empty partial input", start);
        if (Packet.WholeLength(bytes) is { } whole && whole <= bytes.Length) throw r.Error("partial input holds a whole packet", start);
        connection.PartialInput = bytes;
    }

    private void ReadTransaction(RecordReader r)
    {
        var start = r.Offset;
        var owner = ConnectionOf(r);
        var id = r.U32("transaction id");
        if (id == Transaction.None || owner.Transactions.ContainsKey(id)) throw r.Error($"invalid or duplicate transaction {id} on {owner.Id}", start);
        var startRoot = Root(r, "start root");
        var startQuota = ReadQuota(r, "start quota");
        var view = new StoreState(Root(r, "view root"), ReadQuota(r, "view quota"));
        var t = new Transaction(id, view, startRoot, startQuota)
        {
            ReadLow = ReadOptionalPath(r, "read low path"),
            WriteLow = ReadOptionalPath(r, "write low path"),
            QuotaReached = r.Bool("quota reached"),
        };
        var ops = r.Count("write op count", 8);
        for (var i = 0; i < ops; i++)
        {
            var at = r.Offset;
            var op = (Op)r.U32("write op");
            if (op is not (Op.Write or Op.Mkdir or Op.Rm or Op.SetPerms)) throw r.Error($"write op {(uint)op} is not a store change", at);
            t.WriteOps.Add(new WriteOp(op, ReadPath(r, "write op path")));
        }
        var logged = r.Count("log count", 22);
        for (var i = 0; i < logged; i++)
        {
            var request = ReadPacket(r);
            var at = r.Offset;
            var kind = r.U8("response kind");
            var error = r.U8("response error");
            var data = r.Bytes("response data");
            if (kind > (byte)ResponseKind.Error || error > (byte)XsError.EIO || (kind == (byte)ResponseKind.Error) == (error == 0))
                throw r.Error($"invalid response (kind {kind}, error {error})", at);
            t.Log.Add(new LoggedRequest(request, new Response((ResponseKind)kind, data, (XsError)error)));
        }
        owner.Transactions[id] = t;
    }

    private static XsPath ReadPath(RecordReader r, string field)
    {
        var at = r.Offset;
        var depth = r.Count(field + " depth", 4);
        var components = new string[depth];
        for (var i = 0; i < depth; i++) components[i] = r.Text(field);
        return XsPath.FromComponents(components) ?? throw r.Error($"invalid {field}", at);
    }

    private static XsPath? ReadOptionalPath(RecordReader r, string field) => r.Bool(field + " flag") ? ReadPath(r, field) : null;

    private Daemon Finish(RecordReader end)
    {
        var daemon = Daemon(end);
        if (daemon.Live.Root is null) throw end.Error("no LIVE_STORE record before END");
        // INTRODUCE creates a domain with its ring connection and RELEASE removes both.
        foreach (var domid in daemon.Domains.Keys)
        {
            if (!daemon.Connections.ContainsKey(ConnectionId.Ring(domid))) throw end.Error($"domain {domid} has no ring connection");
        }
        foreach (var stamp in _nodes.Keys)
        {
            if (!_places.ContainsKey(stamp)) throw end.Error($"node {stamp} belongs to no tree (no parent)");
            if (stamp >= daemon.Stamps.Peek) throw end.Error($"node stamp {stamp} is not below the next stamp {daemon.Stamps.Peek}");
        }
        return daemon;
    }
}
