using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Permissions;
using XsFuzz.Xenstore.Quotas;
using XsFuzz.Xenstore.Store;
using XsFuzz.Xenstore.Watches;

namespace XsFuzz.Xenstore.Processing;

/// <summary>
/// Everything one oxenstored process holds: the live store, domains, connections, the watch trie and
/// the live-update control state. Every collection is ordered, so nothing depends on hash order.
/// </summary>
internal sealed class Daemon
{
    public Daemon(XenstoredConfig config, NodeStamps stamps, StoreState live)
    {
        Config = config;
        Stamps = stamps;
        Live = live;
        Trie = new WatchTrie();
        Store = new StoreOps(config, stamps);
        Events = new WatchEvents(config, Trie, () => Connections.Values);
    }

    public XenstoredConfig Config { get; }
    public NodeStamps Stamps { get; }
    public StoreState Live { get; }
    public StoreOps Store { get; }
    public WatchTrie Trie { get; }
    public WatchEvents Events { get; }
    public SortedDictionary<int, Domain> Domains { get; } = [];
    public SortedDictionary<ConnectionId, Connection> Connections { get; } = [];
    /// <summary>Sockets are numbered A1, A2, ... in order of arrival, never reused.</summary>
    public int NextSocketNumber { get; set; } = 1;
    /// <summary>Orders watch registrations daemon-wide (see <see cref="Watch.Sequence"/>).</summary>
    public long NextWatchSequence { get; set; } = 1;
    public UpdateRequest UpdateRequest { get; set; } = UpdateRequest.Idle;

    /// <summary>A fresh daemon as oxenstored starts without --restart (spec §11).</summary>
    public static Daemon Start(XenstoredConfig config)
    {
        var stamps = new NodeStamps();
        var live = new StoreState(Node.Create(stamps, "", NodePerms.Dom0Only, []), QuotaTable.Empty);
        var daemon = new Daemon(config, stamps, live);
        var dom0 = new ConnectionPerms(0, null);
        var boot = new Transactions.Transaction(Transactions.Transaction.None, live);
        foreach (var name in new[] { "/@introduceDomain", "/@releaseDomain", "/local", "/tool" })
        {
            daemon.Store.Write(boot, dom0, XsPath.Parse(name)!, []);
        }
        daemon.Store.Write(boot, dom0, XsPath.Parse("/tool/xenstored")!, Wire.Latin1.Encode(config.ToolXenstoredValue));
        daemon.Domains[0] = new Domain(0, 0, config.Dom0EventChannel);
        daemon.AddConnection(new Connection(Xenstored.Dom0, 0));
        return daemon;
    }

    /// <summary>
    /// The same connections for <see cref="Find"/>: a server asks about every connection on every round
    /// of its loop. Only looked up, never enumerated, so its hash order cannot leak.
    /// </summary>
    private readonly Dictionary<ConnectionId, Connection> _byId = [];

    // ConnectionIds' answer until a connection comes or goes (the harness asks at every step).
    private ConnectionId[]? _ids;

    /// <summary>The connections' ids in <see cref="Connections"/>' order; a new list after each change, never changed itself.</summary>
    public IReadOnlyList<ConnectionId> ConnectionIds => _ids ??= [.. Connections.Keys];

    public void AddConnection(Connection connection)
    {
        Connections[connection.Id] = connection;
        _byId[connection.Id] = connection;
        _ids = null;
    }

    public Connection? Find(ConnectionId id) => _byId.GetValueOrDefault(id);

    /// <summary>Drops a connection with its watches; its transactions and queued output go with it.</summary>
    public void RemoveConnection(Connection connection)
    {
        Connections.Remove(connection.Id);
        _byId.Remove(connection.Id);
        _ids = null;
        RemoveWatches(connection);
    }

    /// <summary>
    /// Registers a watch (its path already checked) as the newest of its connection on its path: the
    /// one place that does it, for WATCH and for restore alike.
    /// </summary>
    public void AddWatch(Watch watch)
    {
        var owner = watch.Owner;
        if (!owner.WatchesByPath.TryGetValue(watch.AbsolutePath, out var list)) owner.WatchesByPath[watch.AbsolutePath] = list = [];
        list.Insert(0, watch);
        owner.WatchCount++;
        Trie.Add(WatchTrie.KeyOf(watch.AbsolutePath)!, watch);
    }

    /// <summary>
    /// Whether this watch object is the one its owner has registered: the trie and the source queues hold
    /// watch objects, and one that is a copy, or was unregistered, takes events the owner never gets.
    /// </summary>
    public bool IsRegistered(Watch watch) =>
        !IsClosed(watch.Owner)
        && watch.Owner.WatchesByPath.TryGetValue(watch.AbsolutePath, out var list) && list.Contains(watch);

    /// <summary>Whether this connection object is not (any more) one the daemon serves: closed, or released and replaced.</summary>
    public bool IsClosed(Connection connection) => !Connections.TryGetValue(connection.Id, out var live) || live != connection;

    public void RemoveWatches(Connection connection)
    {
        connection.WatchesByPath.Clear();
        connection.WatchCount = 0;
        Trie.RemoveAll(w => w.Owner == connection);
    }
}
