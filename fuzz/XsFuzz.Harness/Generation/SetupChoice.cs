using System.Globalization;
using XsFuzz.Harness.Decoding;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// The setup records. The header record lists the initial domains (each: domid, optional SET_TARGET,
/// whether it gets a home node /local/domain/N owned by itself) and how many node records follow; each
/// node record is path, value, permission list, chosen against the tree built so far.
/// </summary>
internal static class SetupChoice
{
    private const int Step = 0;
    private static readonly WeightTable DomidTable = new(240, 16);      // prev + 1..3, literal
    private static readonly WeightTable TargetTable = new(176, 40, 40); // none, dom0, literal
    private static readonly WeightTable HomeTable = new(192, 64);       // home, none

    public sealed record Header(List<DomainSetup> Domains, List<NodeSetup> Homes, int NodeCount, NamedConfig Config, int Listener);

    /// <summary>How many watches the listener sets (0: no listener), by the header's last byte.</summary>
    private static readonly int[] ListenerSizes = [0, 4, 16, Scenario.ListenerMax];

    /// <summary>
    /// The header. Writing: from <paramref name="want"/>'s domains; a domain has a home when the next of
    /// the scenario's first nodes is that home (the homes come first, in domain order).
    /// The configuration comes last: an index into the options' configurations, so that the headers of
    /// inputs written before there was a choice (they end earlier) read Debian's, the first. With one
    /// configuration (<c>--config</c>) no byte is read. Then the listener (see <see cref="Scenario.Listener"/>),
    /// by the same reasoning: none unless asked for.
    /// </summary>
    public static Header ChooseHeader(Choices c, HarnessOptions options, Scenario? want)
    {
        var domains = new List<DomainSetup>();
        var homes = new List<NodeSetup>();
        var previous = 0;
        while (domains.Count < options.MaxInitialDomains && c.More(want is not null && domains.Count < want.Domains.Count))
        {
            var wanted = want?.Domains[domains.Count];
            var domid = c.OneOf(DomidTable, previous, wanted?.Domid ?? 0, Domid);
            var target = c.OneOf(TargetTable, 0, wanted?.Target, Target);
            domains.Add(new DomainSetup(domid, target));
            var home = c.Writing && homes.Count < want!.Nodes.Count && want.Nodes[homes.Count] == Home(domid);
            if (c.Weighted(HomeTable, home ? 0 : 1) == 0) homes.Add(Home(domid));
            previous = domid;
        }
        var nodes = c.Index(options.MaxInitialNodes + 1, want is null ? 0 : want.Nodes.Count - homes.Count);
        var config = options.Configs[c.Index(options.Configs.Count, want is null ? 0 : IndexOf(options.Configs, want.Config))];
        var listener = ListenerSizes[c.Index(ListenerSizes.Length, want is null ? 0 : Array.IndexOf(ListenerSizes, want.Listener))];
        return new Header(domains, homes, nodes, config, listener);
    }

    private static int IndexOf(IReadOnlyList<NamedConfig> configs, string name)
    {
        for (var i = 0; i < configs.Count; i++)
        {
            if (configs[i].Name == name) return i;
        }
        return -1;
    }

    private static int Domid(Choices c, int previous, int want, int alt)
    {
        if (alt != Step) return c.SignedVarint(want);
        var delta = (long)want - previous - 1;
        return previous + 1 + c.Index(3, delta is >= 0 and < 3 ? (int)delta : -1);
    }

    private static int? Target(Choices c, int _, int? want, int alt) => alt switch
    {
        0 => null,
        1 => 0,
        _ => c.SignedVarint(want ?? 0),
    };

    public static NodeSetup ChooseNode(Choices c, LiveView view, Vocabulary vocab, NodeSetup? want)
    {
        var path = PathChoice.Choose(c, view, vocab, Xenstored.Dom0, PathChoice.ForSetup, want?.Path);
        var value = ValueChoice.Choose(c, view, vocab, want?.Value);
        return new NodeSetup(path, value, PermsChoice.OptionalList(c, view, want?.Perms).ToValueList());
    }

    /// <summary>A domain's home: /local/domain/N, empty, owned by N with no access for others.</summary>
    public static NodeSetup Home(int domid)
    {
        var n = domid.ToString(CultureInfo.InvariantCulture);
        return new NodeSetup("/local/domain/" + n, "", ValueList.Of("n" + n));
    }
}
