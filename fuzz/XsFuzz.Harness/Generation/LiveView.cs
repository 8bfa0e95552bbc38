using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// The reference daemon's state as the lists that choices index into (nodes, domains, connections, open
/// transactions, watches), computed on first use and kept until the next step changes the daemon.
/// Decoder and encoder read the same lists at the same step, which is what makes an index written by
/// the encoder decode to the same value.
/// </summary>
internal sealed class LiveView(Xenstored daemon)
{
    private IReadOnlyList<string>? _nodes;
    private string?[]? _values;
    private IReadOnlyList<int>? _domids;
    private List<int>? _domus;
    private IReadOnlyList<ConnectionId>? _connections;
    private IReadOnlyList<ConnectionId>? _withTransactions;
    private IReadOnlyList<ConnectionId>? _withWatches;
    private ConnectionId _perConnection;
    private IReadOnlyList<uint>? _transactions;
    private IReadOnlyList<WatchInfo>? _watches;
    private string? _relativeBase;
    private IReadOnlyList<string>? _relative;

    /// <summary>Forget everything: the daemon has just handled a step.</summary>
    public void Invalidate()
    {
        _nodes = null;
        _values = null;
        _domids = null;
        _domus = null;
        _connections = null;
        _withTransactions = null;
        _withWatches = null;
        _transactions = null;
        _watches = null;
        _relative = null;
    }

    /// <summary>Every node's canonical path, root first, children in byte order.</summary>
    public IReadOnlyList<string> Nodes => _nodes ??= daemon.NodePaths();

    /// <summary>The introduced domains (dom0 included), by domid.</summary>
    public IReadOnlyList<int> Domids => _domids ??= daemon.Domids();

    /// <summary>The introduced domains other than dom0, by domid.</summary>
    public IReadOnlyList<int> DomUs
    {
        get
        {
            if (_domus is not null) return _domus;
            var list = new List<int>();
            foreach (var domid in Domids)
            {
                if (domid != 0) list.Add(domid);
            }
            return _domus = list;
        }
    }

    public IReadOnlyList<ConnectionId> Connections => _connections ??= daemon.Connections;

    /// <summary>Connections with an open transaction, or all connections if none has one.</summary>
    public IReadOnlyList<ConnectionId> ConnectionsWithTransactions =>
        _withTransactions ??= Filter(daemon.HasOpenTransactions);

    /// <summary>Connections with a watch, or all connections if none has one.</summary>
    public IReadOnlyList<ConnectionId> ConnectionsWithWatches =>
        _withWatches ??= Filter(daemon.HasWatches);

    private IReadOnlyList<ConnectionId> Filter(Func<ConnectionId, bool> keep)
    {
        var list = new List<ConnectionId>();
        foreach (var id in Connections)
        {
            if (keep(id)) list.Add(id);
        }
        return list.Count > 0 ? list : Connections;
    }

    public IReadOnlyList<uint> OpenTransactions(ConnectionId id)
    {
        SelectConnection(id);
        return _transactions ??= daemon.OpenTransactions(id);
    }

    public IReadOnlyList<WatchInfo> Watches(ConnectionId id)
    {
        SelectConnection(id);
        return _watches ??= daemon.Watches(id);
    }

    /// <summary>Existing nodes strictly below <paramref name="basePath"/> (ending in '/'), relative to it.</summary>
    public IReadOnlyList<string> RelativeNodes(string basePath)
    {
        if (_relative is not null && _relativeBase == basePath) return _relative;
        _relativeBase = basePath;
        return _relative = daemon.NodePathsBelow(basePath[..^1]);
    }

    /// <summary>
    /// The first node (in <see cref="Nodes"/> order) whose value is <paramref name="value"/>, or -1. For
    /// the encoder, which asks this for many values in one state: the values are decoded once per state.
    /// </summary>
    public int IndexOfValue(string value)
    {
        var nodes = Nodes;
        var values = _values ??= new string?[nodes.Count];
        var i = 0;
        foreach (var path in nodes) // enumerated, not indexed: the paths are listed once
        {
            if ((values[i] ??= ValueOf(path) ?? "") == value) return i;
            i++;
        }
        return -1;
    }

    /// <summary>The node's value as a Latin-1 string, or null if it does not exist.</summary>
    public string? ValueOf(string path) =>
        daemon.TryGetValue(path) is { } value ? Xenstore.Wire.Latin1.Decode(value) : null;

    private void SelectConnection(ConnectionId id)
    {
        if (id == _perConnection && (_transactions is not null || _watches is not null)) return;
        _perConnection = id;
        _transactions = null;
        _watches = null;
    }
}
