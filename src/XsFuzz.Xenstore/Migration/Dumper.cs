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
/// Writes a daemon's whole state as a live-update stream (STREAM.md). A planted fault, when given,
/// corrupts exactly one kind of state on the way out.
/// </summary>
/// <param name="written">Empty: the stamps of the nodes written so far (a live update passes its reused set).</param>
internal sealed class Dumper(Daemon daemon, Stream stream, LiveUpdateFault fault, HashSet<long> written)
{
    private readonly RecordWriter _record = new();
    private readonly HashSet<long> _written = written;
    private readonly Dictionary<Connection, uint> _connectionIds = [];
    /// <summary>Child stamps of the nodes being written, innermost last: one list for the whole recursion.</summary>
    private readonly List<long> _childStamps = [];
    /// <summary>With <see cref="LiveUpdateFault.NodeIdentityLost"/> each tree gets its own stamp space.</summary>
    private long _stampOffset;

    public void Dump()
    {
        WriteHeader();
        WriteGlobal();
        foreach (var domain in daemon.Domains.Values)
            Record().I32(domain.Domid).I64(domain.Mfn).I64(domain.RemotePort).WriteTo(stream, RecordType.Domain);

        var liveRoot = WriteTree(daemon.Live.Root);
        var live = Record().I64(liveRoot);
        WriteQuota(live, fault == LiveUpdateFault.QuotaRecomputed ? Recount(daemon.Live.Root) : daemon.Live.Quota);
        live.WriteTo(stream, RecordType.LiveStore);

        foreach (var connection in daemon.Connections.Values) WriteConnection(connection);
        var detached = DetachedWatches();
        WriteClosedOwners(detached);
        WriteWatches();
        WriteDetachedWatches(detached);
        WriteSourceEvents();
        WritePartialInput();
        foreach (var connection in daemon.Connections.Values)
        {
            foreach (var transaction in connection.Transactions.Values) WriteTransaction(connection, transaction);
        }
        _record.WriteEnd(stream);
    }

    /// <summary>The one reusable record writer, emptied for the next record.</summary>
    private RecordWriter Record() => _record.Start();

    private void WriteHeader() => _record.WriteHeader(stream);

    private void WriteGlobal()
    {
        var c = daemon.Config;
        var lu = daemon.UpdateRequest;
        var record = Record()
            .I32(c.MaxEntity).I32(c.MaxSize).I32(c.MaxWatch).I32(c.MaxTransaction).I32(c.MaxRequests).I32(c.PathMax)
            .I32(c.MaxOutstanding).I32(c.MaxWatchEvents)
            .Bool(c.QuotaActivate)
            // The planted ConfigPermsSwapped bug: two neighbouring flags written in each other's place.
            .Bool(fault == LiveUpdateFault.ConfigPermsSwapped ? c.PermsWatchActivate : c.PermsActivate)
            .Bool(fault == LiveUpdateFault.ConfigPermsSwapped ? c.PermsActivate : c.PermsWatchActivate)
            .Bool(c.MergeActivate)
            .Bool(c.AllowDebug).Text(c.ToolXenstoredValue).I64(c.Dom0EventChannel)
            .I64(daemon.Stamps.Peek + (fault == LiveUpdateFault.NodeIdentityLost ? 1L << 50 : 0))
            .I32(daemon.NextSocketNumber).I64(daemon.NextWatchSequence)
            .Bool(lu.Pending).Bool(lu.Force).I64(lu.TimeoutSeconds).Text(lu.Binary);
        WriteTexts(record, lu.Result);
        WriteTexts(record, lu.ExtraArguments);
        record.WriteTo(stream, RecordType.Global);
    }

    private static void WriteTexts(RecordWriter record, IReadOnlyList<string> texts)
    {
        record.U32((uint)texts.Count);
        foreach (var text in texts) record.Text(text);
    }

    /// <summary>Writes the nodes of a tree not written yet, children before parents; returns the root's stamp.</summary>
    private long WriteTree(Node root)
    {
        if (fault == LiveUpdateFault.NodeIdentityLost) _stampOffset += 1L << 40;
        return WriteNode(root);
    }

    private long WriteNode(Node node)
    {
        var stamp = node.Stamp + _stampOffset;
        if (!_written.Add(stamp)) return stamp;
        // This node's children go above whatever the callers collected; each call pops its own again.
        var first = _childStamps.Count;
        foreach (var entry in node.Children)
        {
            var child = entry.Value;
            if (fault == LiveUpdateFault.EmptyLeafDropped && child.Value.Length == 0 && child.Children.IsEmpty) continue;
            var childStamp = WriteNode(child);
            _childStamps.Add(childStamp);
        }
        var record = Record().I64(stamp).Text(node.Name).Bytes(node.Value);
        WritePerms(record, node.Perms);
        record.U32((uint)(_childStamps.Count - first));
        for (var i = first; i < _childStamps.Count; i++) record.I64(_childStamps[i]);
        _childStamps.RemoveRange(first, _childStamps.Count - first);
        record.WriteTo(stream, RecordType.Node);
        return stamp;
    }

    private void WritePerms(RecordWriter record, NodePerms perms)
    {
        var acl = perms.Acl;
        if (fault == LiveUpdateFault.PermEntryLost && acl.Length > 0) acl = acl.RemoveAt(acl.Length - 1);
        record.I64(perms.Owner).U8((byte)perms.Other).U32((uint)acl.Length);
        foreach (var entry in acl) record.I64(entry.Domid).U8((byte)entry.Kind);
    }

    private static void WriteQuota(RecordWriter record, QuotaTable quota)
    {
        record.U32((uint)quota.Counts.Count);
        foreach (var (domid, count) in quota.Counts) record.I64(domid).I64(count);
    }

    /// <summary>The planted QuotaRecomputed bug: counts rebuilt from the tree, as oxenstored's restore does.</summary>
    private static QuotaTable Recount(Node root)
    {
        var counts = new SortedDictionary<long, long>();
        foreach (var (path, node) in Tree.Walk(root))
        {
            if (path != "/") counts[node.Perms.Owner] = counts.GetValueOrDefault(node.Perms.Owner) + 1;
        }
        return QuotaTable.From(counts);
    }

    private void WriteConnection(Connection connection)
    {
        var id = (uint)_connectionIds.Count + 1;
        _connectionIds[connection] = id;
        var target = fault == LiveUpdateFault.DomainTargetLost ? null : connection.Perms.Target;
        var record = Record().U32(id).U8((byte)connection.Id.Kind).I32(connection.Id.Number)
            .Bool(target is not null).I64(target ?? 0)
            .I64(fault == LiveUpdateFault.TxCounterReset ? 1 : connection.NextTransactionId);
        var output = connection.Output;
        if (fault is LiveUpdateFault.PendingEventDropped or LiveUpdateFault.OutputReversed
            or LiveUpdateFault.OutputRepeatDropped or LiveUpdateFault.OutputQueueTruncated)
        {
            // Planted faults only: a copy of the queue is cheap to get wrong on purpose.
            var kept = output.Where(p => fault != LiveUpdateFault.PendingEventDropped || !IsEvent(p)).ToList();
            if (fault == LiveUpdateFault.OutputReversed) kept.Reverse();
            if (fault == LiveUpdateFault.OutputRepeatDropped)
                kept = [.. kept.Where((p, i) => i == 0 || !IsEvent(p) || !p.Equals(kept[i - 1]))];
            if (fault == LiveUpdateFault.OutputQueueTruncated && kept.Count > OutputBufferSlots)
                kept.RemoveRange(OutputBufferSlots, kept.Count - OutputBufferSlots);
            record.U32((uint)kept.Count);
            foreach (var packet in kept) WritePacket(record, packet);
        }
        else
        {
            record.U32((uint)output.Count);
            foreach (var packet in output) WritePacket(record, packet);
        }
        record.WriteTo(stream, RecordType.Connection);
    }

    private static bool IsEvent(Packet packet) => packet.Type == (uint)Op.WatchEvent;

    /// <summary>The planted OutputQueueTruncated bug's buffer: only this many queued packets fit.</summary>
    internal const int OutputBufferSlots = 32;

    private static void WritePacket(RecordWriter record, Packet packet) =>
        record.U32(packet.Type).U32(packet.RequestId).U32(packet.TxId).Bytes(packet.Payload);

    /// <summary>All watches, oldest first, so that restoring them in order rebuilds every newest-first list.</summary>
    private void WriteWatches()
    {
        var watches = new List<Watch>();
        foreach (var connection in daemon.Connections.Values)
        {
            foreach (var list in connection.WatchesByPath.Values) watches.AddRange(list);
        }
        watches.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence)); // sequences are unique: a total order
        for (var i = 0; i < watches.Count; i++)
        {
            // The planted bug writes the watches newest first under the original numbering.
            var watch = fault == LiveUpdateFault.WatchOrderReversed ? watches[^(i + 1)] : watches[i];
            var sequence = watches[i].Sequence;
            var path = fault == LiveUpdateFault.WatchRelativeLost ? watch.AbsolutePath : watch.Path;
            var record = Record().U32(_connectionIds[watch.Owner]).I64(sequence).Text(path).Text(watch.Token);
            record.U32((uint)watch.PendingEvents.Count);
            foreach (var packet in watch.PendingEvents) WritePacket(record, packet);
            record.WriteTo(stream, RecordType.Watch);
        }
    }

    /// <summary>
    /// The watches some source event waits for that are no longer registered (unwatched, or their
    /// connection closed), by sequence. They still forward to their owner's queue when the event moves
    /// on, as oxenstored's watch record does after UNWATCH (fire_single_watch_unchecked queues the record
    /// itself, whose pipe's destination is its connection's xb queue): the restore must rebuild them
    /// whole, not as stand-ins.
    /// </summary>
    /// <returns>Null when there are none (most dumps: nothing is allocated then).</returns>
    private List<Watch>? DetachedWatches()
    {
        List<Watch>? detached = null;
        foreach (var connection in daemon.Connections.Values)
        {
            foreach (var (watch, _) in connection.SourceEvents)
            {
                if (daemon.IsRegistered(watch)) continue;
                detached ??= [];
                if (!detached.Contains(watch)) detached.Add(watch); // a few at most: a linear look will do
            }
        }
        detached?.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        return detached;
    }

    /// <summary>
    /// The closed connections that detached watches forward to: gone for their clients, but their queue
    /// still takes events up to its limits (oxenstored queues into a closed connection's xb the same).
    /// </summary>
    private void WriteClosedOwners(List<Watch>? detached)
    {
        if (detached is null) return;
        foreach (var watch in detached)
        {
            var owner = watch.Owner;
            if (_connectionIds.ContainsKey(owner)) continue;
            var id = (uint)_connectionIds.Count + 1;
            _connectionIds[owner] = id;
            var record = Record().U32(id).U8((byte)owner.Id.Kind).I32(owner.Id.Number).U32((uint)owner.Output.Count);
            foreach (var packet in owner.Output) WritePacket(record, packet);
            record.WriteTo(stream, RecordType.ClosedConnection);
        }
    }

    private void WriteDetachedWatches(List<Watch>? detached)
    {
        if (detached is null) return;
        foreach (var watch in detached)
        {
            var record = Record().U32(_connectionIds[watch.Owner]).I64(watch.Sequence).Text(watch.Path).Text(watch.Token);
            record.U32((uint)watch.PendingEvents.Count);
            foreach (var packet in watch.PendingEvents) WritePacket(record, packet);
            record.WriteTo(stream, RecordType.DetachedWatch);
        }
    }

    /// <summary>Events each connection's requests caused that wait for room, by watch sequence, in order.</summary>
    private void WriteSourceEvents()
    {
        foreach (var connection in daemon.Connections.Values)
        {
            if (connection.SourceEvents.Count == 0) continue;
            var record = Record().U32(_connectionIds[connection]).U32((uint)connection.SourceEvents.Count);
            foreach (var (watch, packet) in connection.SourceEvents)
            {
                record.I64(watch.Sequence);
                WritePacket(record, packet);
            }
            record.WriteTo(stream, RecordType.SourceEvents);
        }
    }

    private void WritePartialInput()
    {
        if (fault == LiveUpdateFault.PartialInputLost) return;
        foreach (var connection in daemon.Connections.Values)
        {
            if (connection.PartialInput.Length == 0) continue;
            Record().U32(_connectionIds[connection]).Bytes(connection.PartialInput).WriteTo(stream, RecordType.PartialInput);
        }
    }

    private void WriteTransaction(Connection connection, Transaction t)
    {
        var startRoot = WriteTree(t.StartRoot);
        var viewRoot = WriteTree(t.Store.Root);
        var record = Record().U32(_connectionIds[connection]).U32(t.Id).I64(startRoot);
        WriteQuota(record, t.StartQuota);
        record.I64(viewRoot);
        WriteQuota(record, t.Store.Quota);
        WriteOptionalPath(record, t.ReadLow);
        WriteOptionalPath(record, t.WriteLow);
        record.Bool(t.QuotaReached);
        var writeOps = fault == LiveUpdateFault.TransactionWritesLost ? [] : t.WriteOps;
        record.U32((uint)writeOps.Count);
        foreach (var op in writeOps)
        {
            record.U32((uint)op.Op);
            WritePath(record, op.Path);
        }
        var log = fault == LiveUpdateFault.TxRepeatedChangeMerged ? WithoutRepeatedChanges(t.Log) : t.Log;
        record.U32((uint)log.Count);
        foreach (var logged in log)
        {
            WritePacket(record, logged.Request);
            record.U8((byte)logged.Response.Kind).U8((byte)logged.Response.Error).Bytes(logged.Response.Data);
        }
        record.WriteTo(stream, RecordType.Transaction);
    }

    /// <summary>
    /// The planted TxRepeatedChangeMerged bug: a store change (WRITE, MKDIR, RM, SET_PERMS) whose request
    /// is byte for byte the one logged right before it is taken for a duplicate and dropped.
    /// </summary>
    private static List<LoggedRequest> WithoutRepeatedChanges(List<LoggedRequest> log)
    {
        var kept = new List<LoggedRequest>(log.Count);
        foreach (var logged in log)
        {
            var request = logged.Request;
            var change = request.Type is (uint)Op.Write or (uint)Op.Mkdir or (uint)Op.Rm or (uint)Op.SetPerms;
            if (change && kept.Count > 0 && kept[^1].Request.Type == request.Type
                && kept[^1].Request.Payload.SequenceEqual(request.Payload)) continue;
            kept.Add(logged);
        }
        return kept;
    }

    /// <summary>Paths travel as component lists: <c>@a/b</c> (one component) and <c>/@a/b</c> (two) differ.</summary>
    private static void WritePath(RecordWriter record, XsPath path)
    {
        record.U32((uint)path.Depth);
        for (var i = 0; i < path.Depth; i++) record.Text(path[i]);
    }

    private static void WriteOptionalPath(RecordWriter record, XsPath? path)
    {
        record.Bool(path is not null);
        if (path is not null) WritePath(record, path);
    }
}
