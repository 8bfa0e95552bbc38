using System.Reflection;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Permissions;
using XsFuzz.Xenstore.Processing;
using XsFuzz.Xenstore.Quotas;
using XsFuzz.Xenstore.Store;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Watches;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Tests.Migration;

/// <summary>
/// StateComparer and StateSnapshot must agree: a harness report renders snapshots to explain what the
/// comparer found, so a field the comparer reads but the snapshot does not print would show an empty
/// diff. Each case below changes one field the comparer reads, in a copy of a daemon holding every
/// kind of state, and checks that the comparer and the snapshot text both see the change.
/// </summary>
public class ComparerSnapshotTests
{
    private static Xenstored Sample()
    {
        var twin = new Twin();
        twin.Do(twin.A, Op.Introduce, 0, "3", "1003", "13");
        twin.Do(twin.A, Op.SetTarget, 0, "3", "5");
        twin.Write(twin.A, "/t/a", "value");
        twin.Do(twin.A, Op.SetPerms, 0, "/t/a", "n3", "r5");
        twin.Do(twin.A, Op.Watch, 0, "/t", "w");
        twin.Do(twin.A, Op.Watch, 0, "/t", "w2"); // two watches on one trie node, for its order
        twin.Do(twin.A, Op.TransactionStart, 0, "");
        twin.Write(twin.A, "/t/b", "tx", tx: 1);
        twin.Do(twin.A, Op.Read, 1, "/t/a");
        twin.Do(twin.A, Op.Read, 1, "/nope");
        twin.Updated.Handle(twin.A, Packet.WriteRequest(99, 0, "/t/c", "queued"u8)); // output left queued
        return twin.Updated;
    }

    private static Node Rebuild(Node n, long? stamp = null, string? name = null, byte[]? value = null,
        NodePerms? perms = null, List<Node>? children = null) =>
        Node.Restore(stamp ?? n.Stamp, name ?? n.Name, value ?? n.Value, perms ?? n.Perms, children ?? [.. n.Children.Values]);

    /// <summary>The root with its child <paramref name="name"/> changed.</summary>
    private static Node WithChild(Node root, string name, Func<Node, Node> change) =>
        Rebuild(root, children: [.. root.Children.Values.Select(c => c.Name == name ? change(c) : c)]);

    /// <summary>The root with a changed value at /tool, both new nodes (stamps no daemon has used yet).</summary>
    private static Node Fresh(Node root) =>
        Rebuild(WithChild(root, "tool", n => Rebuild(n, stamp: 900_001, value: "v"u8.ToArray())), stamp: 900_002);

    private static Connection Socket(Daemon d) => d.Connections.Values.First(c => c.Id.Kind == ConnectionKind.Socket);
    private static Transaction Tx(Daemon d) => Socket(d).Transactions.Values.First();

    private static void ReplaceTx(Daemon d, Func<Transaction, Transaction> change)
    {
        var c = Socket(d);
        var t = Tx(d);
        c.Transactions.Remove(t.Id);
        var changed = change(t);
        c.Transactions[changed.Id] = changed;
    }

    private static Transaction CopyTx(Transaction t, uint? id = null, Node? startRoot = null, QuotaTable? startQuota = null)
    {
        var copy = new Transaction(id ?? t.Id, t.Store, startRoot ?? t.StartRoot, startQuota ?? t.StartQuota)
        {
            ReadLow = t.ReadLow, WriteLow = t.WriteLow, QuotaReached = t.QuotaReached,
        };
        copy.WriteOps.AddRange(t.WriteOps);
        copy.Log.AddRange(t.Log);
        return copy;
    }

    private static void ReplaceConnection(Daemon d, Connection old, Connection changed)
    {
        changed.NextTransactionId = old.NextTransactionId;
        changed.WatchCount = old.WatchCount;
        changed.Output.AddRange(old.Output);
        foreach (var (id, t) in old.Transactions) changed.Transactions[id] = t;
        foreach (var (path, list) in old.WatchesByPath) changed.WatchesByPath[path] = list;
        d.RemoveConnection(old);
        d.AddConnection(changed);
    }

    private static void ReplaceWatch(Daemon d, Func<Watch, Watch> change)
    {
        var list = Socket(d).WatchesByPath.Values.First();
        list[0] = change(list[0]);
    }

    /// <summary>The newest watch of the socket (first in its trie list) and its trie key.</summary>
    private static (Watch Watch, string[] Key) TrieWatch(Daemon d)
    {
        var watch = Socket(d).WatchesByPath.Values.First()[0];
        return (watch, WatchTrie.KeyOf(watch.AbsolutePath)!);
    }

    private static QuotaTable Bumped(QuotaTable q) => QuotaTable.From(q.Counts.Select(kv => KeyValuePair.Create(kv.Key, kv.Value + 1)));

    public static TheoryData<string> Fields() => [.. Changes.Keys];

    private static readonly Dictionary<string, Action<Daemon>> Changes = new()
    {
        ["next stamp"] = d => d.Stamps.Next(),
        ["next socket number"] = d => d.NextSocketNumber++,
        ["next watch sequence"] = d => d.NextWatchSequence++,
        ["live-update pending"] = d => d.UpdateRequest = d.UpdateRequest with { Pending = !d.UpdateRequest.Pending },
        ["live-update force"] = d => d.UpdateRequest = d.UpdateRequest with { Force = !d.UpdateRequest.Force },
        ["live-update timeout"] = d => d.UpdateRequest = d.UpdateRequest with { TimeoutSeconds = 7 },
        ["live-update binary"] = d => d.UpdateRequest = d.UpdateRequest with { Binary = "/other" },
        ["live-update result"] = d => d.UpdateRequest = d.UpdateRequest with { Result = ["x"] },
        ["live-update arguments"] = d => d.UpdateRequest = d.UpdateRequest with { ExtraArguments = ["x"] },
        ["root stamp"] = d => d.Live.Root = Rebuild(d.Live.Root, stamp: d.Live.Root.Stamp + 100_000),
        ["node name"] = d => d.Live.Root = WithChild(d.Live.Root, "tool", n => Rebuild(n, name: "toolx")),
        ["node value"] = d => d.Live.Root = WithChild(d.Live.Root, "tool", n => Rebuild(n, value: "v"u8.ToArray())),
        ["node owner"] = d => d.Live.Root = WithChild(d.Live.Root, "tool", n => Rebuild(n, perms: new NodePerms(9, n.Perms.Other, n.Perms.Acl))),
        ["node other perm"] = d => d.Live.Root = WithChild(d.Live.Root, "tool", n => Rebuild(n, perms: new NodePerms(n.Perms.Owner, PermKind.Both, n.Perms.Acl))),
        ["node acl"] = d => d.Live.Root = WithChild(d.Live.Root, "tool", n => Rebuild(n, perms: new NodePerms(n.Perms.Owner, n.Perms.Other, [new AclEntry(4, PermKind.Read)]))),
        ["node children"] = d => d.Live.Root = WithChild(d.Live.Root, "tool", n => Rebuild(n, children: [])),
        ["live quota"] = d => d.Live.Quota = Bumped(d.Live.Quota),
        ["domain id"] = d =>
        {
            var old = d.Domains[3];
            d.Domains.Remove(3);
            d.Domains[4] = new Domain(4, old.Mfn, old.RemotePort);
        },
        ["domain mfn"] = d => d.Domains[3] = new Domain(3, 77, d.Domains[3].RemotePort),
        ["domain port"] = d => d.Domains[3].RemotePort++,
        ["connection id"] = d =>
        {
            var old = Socket(d);
            ReplaceConnection(d, old, new Connection(ConnectionId.Socket(old.Id.Number + 10), old.Domid));
        },
        ["connection domid"] = d =>
        {
            var old = Socket(d);
            ReplaceConnection(d, old, new Connection(old.Id, 6) { Perms = old.Perms });
        },
        ["connection target"] = d => d.Connections[ConnectionId.Ring(3)].Perms = d.Connections[ConnectionId.Ring(3)].Perms with { Target = 6 },
        ["connection main perm"] = d => d.Connections[ConnectionId.Ring(3)].Perms = d.Connections[ConnectionId.Ring(3)].Perms with { Main = 6 },
        ["next transaction id"] = d => Socket(d).NextTransactionId++,
        ["watch count"] = d => Socket(d).WatchCount++,
        ["queued output"] = d => Socket(d).Output.Add(new Packet((uint)Op.Read, 1, 0, "x"u8)),
        ["queued output payload"] = d => Socket(d).Output[0] = new Packet(Socket(d).Output[0].Type, Socket(d).Output[0].RequestId, 0, "other"u8),
        ["transaction count"] = d => Socket(d).Transactions[50] = CopyTx(Tx(d), id: 50),
        ["watch path key"] = d =>
        {
            var c = Socket(d);
            var (key, list) = c.WatchesByPath.First();
            c.WatchesByPath.Remove(key);
            c.WatchesByPath[key + "x"] = list;
        },
        ["watch list length"] = d => Socket(d).WatchesByPath.Values.First().Clear(),
        ["watch sequence"] = d => ReplaceWatch(d, w => new Watch(w.Owner, w.Path, w.Token, w.AbsolutePath, w.Sequence + 1)),
        ["watch path"] = d => ReplaceWatch(d, w => new Watch(w.Owner, w.Path + "x", w.Token, w.AbsolutePath, w.Sequence)),
        ["watch token"] = d => ReplaceWatch(d, w => new Watch(w.Owner, w.Path, w.Token + "x", w.AbsolutePath, w.Sequence)),
        ["watch pending events"] = d => Socket(d).WatchesByPath.Values.First()[0].PendingEvents.Enqueue(new Packet((uint)Op.WatchEvent, 0, 0, "/t\0w\0"u8)),
        ["source events"] = d => Socket(d).SourceEvents.Enqueue((Socket(d).WatchesByPath.Values.First()[0], new Packet((uint)Op.WatchEvent, 0, 0, "/t\0w\0"u8))),
        ["queued event count"] = d => Socket(d).QueuedEvents++,
        ["partial input"] = d => Socket(d).PartialInput = [1, 0, 0],
        ["trie watch twice"] = d =>
        {
            var (watch, key) = TrieWatch(d);
            d.Trie.Add(key, watch);
        },
        ["trie order"] = d =>
        {
            var (watch, key) = TrieWatch(d);
            d.Trie.Remove(key, watch);
            d.Trie.AddOldest(key, watch);
        },
        ["trie key"] = d =>
        {
            var (watch, key) = TrieWatch(d);
            d.Trie.Remove(key, watch);
            d.Trie.Add(WatchTrie.KeyOf("/elsewhere")!, watch);
        },
        ["trie entry lost"] = d =>
        {
            var (watch, key) = TrieWatch(d);
            d.Trie.Remove(key, watch);
        },
        ["trie watch a copy"] = d =>
        {
            var (watch, key) = TrieWatch(d);
            d.Trie.Remove(key, watch);
            d.Trie.Add(key, new Watch(watch.Owner, watch.Path, watch.Token, watch.AbsolutePath, watch.Sequence));
        },
        ["transaction id"] = d => ReplaceTx(d, t => CopyTx(t, id: 50)),
        ["transaction read low"] = d => Tx(d).ReadLow = XsPath.Parse("/elsewhere"),
        ["transaction write low"] = d => Tx(d).WriteLow = XsPath.Parse("/elsewhere"),
        ["transaction quota reached"] = d => Tx(d).QuotaReached = !Tx(d).QuotaReached,
        ["transaction write ops"] = d => Tx(d).WriteOps.Add(new WriteOp(Op.Rm, XsPath.Parse("/t")!)),
        ["logged request"] = d => Tx(d).Log[0] = Tx(d).Log[0] with { Request = new Packet((uint)Op.Read, 1, 1, "/zzz\0"u8) },
        ["logged response kind"] = d => Tx(d).Log[0] = Tx(d).Log[0] with { Response = Response.Reply("OK\0"u8.ToArray()) },
        ["logged response error"] = d => Tx(d).Log[^1] = Tx(d).Log[^1] with { Response = Response.Fail(XsError.EACCES) },
        ["logged response data"] = d => Tx(d).Log[1] = Tx(d).Log[1] with { Response = Tx(d).Log[1].Response with { Data = "other"u8.ToArray() } },
        ["logged error response data"] = d => Tx(d).Log[^1] = Tx(d).Log[^1] with { Response = Tx(d).Log[^1].Response with { Data = "x"u8.ToArray() } },
        ["transaction start quota"] = d => ReplaceTx(d, t => CopyTx(t, startQuota: Bumped(t.StartQuota))),
        // A transaction's trees share their stamps with the live tree: a changed node there is a new node.
        ["transaction start root"] = d => ReplaceTx(d, t => CopyTx(t, startRoot: Fresh(t.StartRoot))),
        ["transaction view quota"] = d => Tx(d).Store.Quota = Bumped(Tx(d).Store.Quota),
        ["transaction view root"] = d => Tx(d).Store.Root = Fresh(Tx(d).Store.Root),
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public void A_change_the_comparer_sees_shows_in_the_snapshot(string field)
    {
        var original = Sample();
        var copy = MigrationStream.Restore(MigrationStream.DumpToBytes(original));
        Assert.True(StateComparer.Same(original, copy));
        Changes[field](copy.State);
        Assert.False(StateComparer.Same(original, copy), $"the comparer misses a change of the {field}");
        Assert.NotEqual(StateSnapshot.Of(original).Text, StateSnapshot.Of(copy).Text);
    }

    /// <summary>The comparer compares the roots' hashes only: a change two levels down must reach the root's.</summary>
    [Fact]
    public void A_change_below_the_roots_children_changes_the_comparison()
    {
        var original = Sample();
        var copy = MigrationStream.Restore(MigrationStream.DumpToBytes(original));
        copy.State.Live.Root = WithChild(copy.State.Live.Root, "t", t => Rebuild(t, children: [.. t.Children.Values.Select(
            c => c.Name == "a" ? Rebuild(c, value: "other"u8.ToArray()) : c)]));
        Assert.False(StateComparer.Same(original, copy));
        Assert.NotEqual(StateSnapshot.Of(original).Text, StateSnapshot.Of(copy).Text);
    }

    [Fact]
    public void A_source_event_for_an_unregistered_copy_of_a_watch_shows_in_both()
    {
        var original = Sample();
        var copy = MigrationStream.Restore(MigrationStream.DumpToBytes(original));
        var packet = new Packet((uint)Op.WatchEvent, 0, 0, "/t\0w2\0"u8);
        Socket(original.State).SourceEvents.Enqueue((TrieWatch(original.State).Watch, packet));
        var registered = TrieWatch(copy.State).Watch;
        var stray = new Watch(registered.Owner, registered.Path, registered.Token, registered.AbsolutePath, registered.Sequence);
        Socket(copy.State).SourceEvents.Enqueue((stray, packet));
        Assert.False(StateComparer.Same(original, copy));
        Assert.Contains(" (unregistered: ", StateSnapshot.Of(copy).Text);
        Assert.NotEqual(StateSnapshot.Of(original).Text, StateSnapshot.Of(copy).Text);
    }

    /// <summary>An unregistered watch still forwards its waiting events: what it forwards to is state.</summary>
    [Theory]
    [InlineData("token")]
    [InlineData("pending")]
    public void Where_an_unregistered_watch_forwards_to_is_compared(string field)
    {
        var original = Sample();
        var copy = MigrationStream.Restore(MigrationStream.DumpToBytes(original));
        var packet = new Packet((uint)Op.WatchEvent, 0, 0, "/t\0w2\0"u8);
        foreach (var daemon in new[] { original, copy })
        {
            var registered = TrieWatch(daemon.State).Watch;
            var changed = daemon == copy;
            var detached = new Watch(registered.Owner, registered.Path, changed && field == "token" ? "other" : "gone", registered.AbsolutePath,
                daemon.State.NextWatchSequence);
            if (changed && field == "pending") detached.PendingEvents.Enqueue(packet);
            Socket(daemon.State).SourceEvents.Enqueue((detached, packet));
        }
        Assert.False(StateComparer.Same(original, copy), $"the comparer misses a change of the unregistered watch's {field}");
        Assert.NotEqual(StateSnapshot.Of(original).Text, StateSnapshot.Of(copy).Text);
    }

    /// <summary>UNWATCH leaves an empty list in the trie and a restore does not rebuild it: that is no difference.</summary>
    [Fact]
    public void An_emptied_trie_list_is_no_state()
    {
        var twin = new Twin();
        twin.Do(twin.A, Op.Watch, 0, "/t/x", "w");
        twin.Do(twin.A, Op.Unwatch, 0, "/t/x", "w");
        var restored = twin.Updated.LiveUpdate();
        Assert.True(StateComparer.Same(twin.Updated, restored));
        Assert.Equal(StateSnapshot.Of(twin.Updated).Text, StateSnapshot.Of(restored).Text);
    }

    [Fact]
    public void The_trie_shows_each_list_with_its_key_newest_first()
    {
        var twin = new Twin();
        twin.Do(twin.A, Op.Watch, 0, "/t", "old");
        twin.Do(twin.A, Op.Watch, 0, "/t", "new");
        twin.Do(twin.A, Op.Watch, 0, "@introduceDomain", "i");
        var text = StateSnapshot.Of(twin.Updated).Text;
        Assert.Contains("\ntrie \"/t\" #2 A1, #1 A1\n", text);
        Assert.Contains("\ntrie [\"@introduceDomain\"] #3 A1\n", text);
    }

    [Fact]
    public void Every_configuration_field_shows_in_both()
    {
        var baseline = XenstoredConfig.Debian;
        foreach (var property in typeof(XenstoredConfig).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var changed = baseline with { };
            object value = property.GetValue(baseline) switch
            {
                int i => i + 1,
                long l => l + 1,
                bool flag => !flag,
                string s => s + "x",
                var other => throw new InvalidOperationException($"add a case for {property.Name} ({other?.GetType().Name})"),
            };
            property.SetValue(changed, value);
            var (a, b) = (new Xenstored(baseline), new Xenstored(changed));
            Assert.False(StateComparer.Same(a, b), property.Name);
            Assert.NotEqual(StateSnapshot.Of(a).Text.Split('\n')[0], StateSnapshot.Of(b).Text.Split('\n')[0]);
        }
    }
}
