using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Shrinking;

/// <summary>
/// Smaller variants of one scenario element, most aggressive first: transaction 0, empty or halved values,
/// fewer permission entries, shorter paths (the parent), shorter tokens and raw payloads.
/// </summary>
internal static class Simplifications
{
    /// <summary>
    /// Debian's configuration, no listener, a smaller one. (An encoder that does not hold Debian's
    /// configuration refuses the first: a variant that cannot be encoded is never kept.)
    /// </summary>
    public static IEnumerable<Scenario> OfSetup(Scenario s)
    {
        if (s.Config != Xenstore.ConfigVariants.Debian.Name) yield return s with { Config = Xenstore.ConfigVariants.Debian.Name };
        if (s.Listener == 0) yield break;
        yield return s with { Listener = 0 };
        foreach (var size in new[] { 4, 16 })
        {
            if (size < s.Listener) yield return s with { Listener = size };
        }
    }

    public static IEnumerable<Command> Of(Command command)
    {
        if (command is DrainCommand drain && drain.Connection != Xenstored.Dom0) yield return new DrainCommand(Xenstored.Dom0);
        if (command is PartialCommand partial)
        {
            // The whole request first, then a split at the header's end (the usual boundary), then its first byte.
            yield return partial.Request;
            if (partial.Bytes > Packet.HeaderSize) yield return partial with { Bytes = Packet.HeaderSize };
            if (partial.Bytes > 1) yield return partial with { Bytes = 1 };
            foreach (var request in Of(partial.Request))
            {
                var length = Packet.HeaderSize + ((RequestCommand)request).Payload.Length;
                if (partial.Bytes < length) yield return partial with { Request = (RequestCommand)request };
            }
            yield break;
        }
        if (command is not RequestCommand r) yield break;
        if (r.Connection != Xenstored.Dom0) yield return r with { Connection = Xenstored.Dom0 };
        if (r.Tx != 0)
        {
            // 0, then smaller ids: after earlier TRANSACTION_STARTs are gone, tx 1 may be the same one.
            yield return r with { Tx = 0 };
            for (uint tx = 1; tx < r.Tx && tx <= 4; tx++) yield return r with { Tx = tx };
        }
        foreach (var payload in Payloads(r.Type, r.Payload))
        {
            if (payload != r.Payload) yield return r with { Payload = payload };
        }
    }

    public static IEnumerable<NodeSetup> Of(NodeSetup node)
    {
        if (node.Value.Length > 0) yield return node with { Value = "" };
        if (node.Value.Length > 1) yield return node with { Value = node.Value[..(node.Value.Length / 2)] };
        for (var i = node.Perms.Count - 1; i >= 0; i--)
            yield return node with { Perms = node.Perms.Where((_, k) => k != i).ToValueList() };
        foreach (var path in ShorterPaths(node.Path)) yield return node with { Path = path };
    }

    public static IEnumerable<DomainSetup> Of(DomainSetup domain)
    {
        if (domain.Target is not null) yield return domain with { Target = null };
    }

    private static IEnumerable<string> Payloads(uint type, string payload)
    {
        if (type == (uint)Op.Write)
        {
            var nul = payload.IndexOf('\0', StringComparison.Ordinal);
            if (nul < 0)
            {
                foreach (var shorter in Shorter(payload)) yield return shorter;
                yield break;
            }
            var path = payload[..nul];
            var value = payload[(nul + 1)..];
            foreach (var v in Shorter(value)) yield return path + "\0" + v;
            foreach (var p in CheapWritePaths.Concat(ShorterPaths(path)))
            {
                if (p != path) yield return p + "\0" + value;
            }
            yield break;
        }
        if (payload.Length == 0) yield break;
        if (payload[^1] != '\0')
        {
            foreach (var shorter in Shorter(payload)) yield return shorter;
            yield break;
        }
        var args = payload[..^1].Split('\0');
        // Dropping trailing arguments (permission entries, CONTROL arguments) first, then shortening each.
        for (var i = args.Length - 1; i >= 1; i--) yield return Join(args.Where((_, k) => k != i));
        for (var i = 0; i < args.Length; i++)
        {
            var candidates = i == 0 ? CheapPaths.Concat(ShorterPaths(args[i])).Concat(Shorter(args[i])) : Shorter(args[i]);
            foreach (var shorter in candidates)
            {
                var copy = (string[])args.Clone();
                copy[i] = shorter;
                yield return Join(copy);
            }
        }
    }

    /// <summary>
    /// Empty, the decoders' default words ("a", "t0", "0": not always shorter, but cheaper to encode; the
    /// shrinker's cost check decides), then prefixes.
    /// </summary>
    private static IEnumerable<string> Shorter(string text)
    {
        if (text.Length > 0) yield return "";
        foreach (var word in DefaultWords)
        {
            if (word != text) yield return word;
        }
        if (text.Length > 1) yield return text[..(text.Length / 2)];
        if (text.Length > 2) yield return text[..^1];
    }

    private static readonly string[] DefaultWords = ["a", "t0", "0"];

    /// <summary>A WRITE's cheapest path: a new child of the root with the first name of the vocabulary.</summary>
    private static readonly string[] CheapWritePaths = ["/a"];

    /// <summary>Paths that encode in one or two bytes (the root, the special watch paths).</summary>
    private static readonly string[] CheapPaths = ["/", "@introduceDomain", "@releaseDomain"];

    /// <summary>
    /// The same scenario with two privileged connections (dom0's ring, the two sockets) swapped
    /// everywhere: the connection list is ordered, so moving the busiest sender to index 0 (D0) makes
    /// its picks the default.
    /// </summary>
    public static IEnumerable<Scenario> SwappedConnections(Scenario scenario)
    {
        ConnectionId[] privileged = [Xenstored.Dom0, ConnectionId.Socket(1), ConnectionId.Socket(2)];
        for (var i = 0; i < privileged.Length; i++)
        {
            for (var j = i + 1; j < privileged.Length; j++)
            {
                var (x, y) = (privileged[i], privileged[j]);
                ConnectionId Swap(ConnectionId c) => c == x ? y : c == y ? x : c;
                yield return scenario with
                {
                    Commands = scenario.Commands.Select(c => c switch
                    {
                        RequestCommand r => r with { Connection = Swap(r.Connection) },
                        DrainCommand d => new DrainCommand(Swap(d.Connection)),
                        PartialCommand p => p with { Request = p.Request with { Connection = Swap(p.Request.Connection) } },
                        _ => c,
                    }).ToValueList(),
                };
            }
        }
    }

    /// <summary>Ancestors of a path, nearest first (for "/a/b/c": "/a/b", "/a"; for "x/y": "x").</summary>
    private static IEnumerable<string> ShorterPaths(string path)
    {
        var cut = path.LastIndexOf('/');
        while (cut > 0)
        {
            yield return path[..cut];
            cut = path.LastIndexOf('/', cut - 1);
        }
    }

    private static string Join(IEnumerable<string> args) => string.Concat(args.Select(a => a + "\0"));
}
