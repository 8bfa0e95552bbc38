using System.Text;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>
/// The tree as a client sees it, read through a connection the scenario never uses: depth first in
/// DIRECTORY order, one line per node with its GET_PERMS and READ answers. Comparing two walks finds
/// state that differs without a scenario step having looked at it (real daemons offer no snapshot like
/// the model's).
/// <para>
/// The nodes are read level by level, the three requests of up to <see cref="NodesPerBatch"/> nodes
/// in one batch: a real daemon then answers a batch in one round trip instead of one per request
/// (the walks after each live update were most of a real run's round trips). A batch's requests and
/// replies stay far below a Unix socket's buffers, so writing a whole batch before reading cannot
/// block on a daemon that is busy writing.
/// </para>
/// </summary>
public static class StateWalk
{
    private const int MaxNodes = 5000;

    /// <summary>Nodes whose requests go in one batch.</summary>
    public const int NodesPerBatch = 16;

    private sealed class Node(string path)
    {
        public string Path { get; } = path;
        public Packet? Perms { get; set; }
        public Packet? Value { get; set; }
        public Packet? Children { get; set; }
        public bool Read { get; set; }
        public List<Node> Below { get; } = [];
    }

    /// <param name="exchange">
    /// Sends a batch of requests on the walking connection and returns everything it read until the
    /// reply to the batch's last request (or the connection's end).
    /// </param>
    /// <param name="nextId">Request ids for the walk's requests.</param>
    public static string Run(Func<IReadOnlyList<Packet>, IReadOnlyList<Packet>> exchange, Func<uint> nextId)
    {
        var root = new Node("/");
        var level = new List<Node> { root };
        var read = 0;
        while (level.Count > 0 && read < MaxNodes)
        {
            if (level.Count > MaxNodes - read) level.RemoveRange(MaxNodes - read, level.Count - (MaxNodes - read));
            var next = new List<Node>();
            for (var start = 0; start < level.Count; start += NodesPerBatch)
                Read(exchange, nextId, level.GetRange(start, Math.Min(NodesPerBatch, level.Count - start)), next);
            read += level.Count;
            level = next;
        }
        return Show(root);
    }

    /// <summary>Reads a batch of nodes; their children go to <paramref name="next"/>, in order.</summary>
    private static void Read(Func<IReadOnlyList<Packet>, IReadOnlyList<Packet>> exchange, Func<uint> nextId, List<Node> batch, List<Node> next)
    {
        var requests = new List<Packet>(batch.Count * 3);
        foreach (var node in batch)
        {
            requests.Add(Packet.Request(Op.GetPerms, nextId(), 0, node.Path));
            requests.Add(Packet.Request(Op.Read, nextId(), 0, node.Path));
            requests.Add(Packet.Request(Op.Directory, nextId(), 0, node.Path));
        }
        var replies = new Dictionary<uint, Packet>();
        foreach (var packet in exchange(requests)) replies.TryAdd(packet.RequestId, packet);
        for (var i = 0; i < batch.Count; i++)
        {
            var node = batch[i];
            node.Read = true;
            node.Perms = replies.GetValueOrDefault(requests[3 * i].RequestId);
            node.Value = replies.GetValueOrDefault(requests[3 * i + 1].RequestId);
            node.Children = replies.GetValueOrDefault(requests[3 * i + 2].RequestId);
            if (node.Children is null || node.Children.Op != Op.Directory) continue;
            var path = node.Path;
            foreach (var name in Latin1.Decode(node.Children.Payload).Split('\0', StringSplitOptions.RemoveEmptyEntries))
                node.Below.Add(new Node(path == "/" ? "/" + name : path + "/" + name));
            next.AddRange(node.Below);
        }
    }

    /// <summary>Depth first from the root; a node not read (beyond <see cref="MaxNodes"/>) ends the walk.</summary>
    private static string Show(Node root)
    {
        var text = new StringBuilder();
        var pending = new Stack<Node>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var node = pending.Peek();
            if (!node.Read) break;
            pending.Pop();
            text.Append(node.Path).Append("  perms ").Append(Show(node.Perms, list: true)).Append("  value ").Append(Show(node.Value, list: false)).Append('\n');
            if (node.Children is null || node.Children.Op != Op.Directory)
            {
                text.Append(node.Path).Append("  children ").Append(Show(node.Children, list: true)).Append('\n');
                continue;
            }
            for (var i = node.Below.Count - 1; i >= 0; i--) pending.Push(node.Below[i]);
        }
        if (pending.Count > 0) text.Append("(walk stopped after ").Append(MaxNodes).Append(" nodes)\n");
        return text.ToString();
    }

    private static string Show(Packet? reply, bool list)
    {
        if (reply is null) return "(no reply)";
        var text = Latin1.Decode(reply.Payload);
        if (reply.Op == Op.Error) return "ERROR " + text.TrimEnd('\0');
        return list ? string.Join(' ', text.Split('\0', StringSplitOptions.RemoveEmptyEntries)) : Latin1.Quote(text);
    }
}
