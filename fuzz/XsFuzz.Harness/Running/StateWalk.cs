using System.Text;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>
/// The tree as a client sees it, read through a connection the scenario never uses: depth first in
/// DIRECTORY order, one line per node with its GET_PERMS and READ answers. Comparing two walks finds
/// state that differs without a scenario step having looked at it (real daemons offer no snapshot like
/// the model's).
/// </summary>
public static class StateWalk
{
    private const int MaxNodes = 5000;

    /// <param name="exchange">Sends one request on the walking connection and returns what it read.</param>
    /// <param name="nextId">Request ids for the walk's requests.</param>
    public static string Run(Func<Packet, Delivery> exchange, Func<uint> nextId)
    {
        var text = new StringBuilder();
        var pending = new Stack<string>();
        pending.Push("/");
        var nodes = 0;
        while (pending.Count > 0 && nodes++ < MaxNodes)
        {
            var path = pending.Pop();
            var perms = Ask(exchange, nextId, Op.GetPerms, path);
            var value = Ask(exchange, nextId, Op.Read, path);
            var children = Ask(exchange, nextId, Op.Directory, path);
            text.Append(path).Append("  perms ").Append(Show(perms, list: true)).Append("  value ").Append(Show(value, list: false)).Append('\n');
            if (children is null || children.Op != Op.Directory)
            {
                text.Append(path).Append("  children ").Append(Show(children, list: true)).Append('\n');
                continue;
            }
            var names = Latin1.Decode(children.Payload).Split('\0', StringSplitOptions.RemoveEmptyEntries);
            for (var i = names.Length - 1; i >= 0; i--) pending.Push(path == "/" ? "/" + names[i] : path + "/" + names[i]);
        }
        if (pending.Count > 0) text.Append("(walk stopped after ").Append(MaxNodes).Append(" nodes)\n");
        return text.ToString();
    }

    private static Packet? Ask(Func<Packet, Delivery> exchange, Func<uint> nextId, Op op, string path)
    {
        var request = Packet.Request(op, nextId(), 0, path);
        var delivery = exchange(request);
        return delivery.Packets.FirstOrDefault(p => p.RequestId == request.RequestId);
    }

    private static string Show(Packet? reply, bool list)
    {
        if (reply is null) return "(no reply)";
        var text = Latin1.Decode(reply.Payload);
        if (reply.Op == Op.Error) return "ERROR " + text.TrimEnd('\0');
        return list ? string.Join(' ', text.Split('\0', StringSplitOptions.RemoveEmptyEntries)) : Latin1.Quote(text);
    }
}
