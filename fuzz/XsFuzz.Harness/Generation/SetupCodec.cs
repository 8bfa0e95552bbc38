using System.Globalization;
using XsFuzz.Harness.Decoding;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// The setup records, both ways. The header record lists the initial domains (each: domid, optional
/// SET_TARGET, whether it gets a home node /local/domain/N owned by itself) and how many node records
/// follow; each node record is path, value, permission list, chosen against the tree built so far.
/// </summary>
internal sealed class SetupCodec(Vocabulary vocab, HarnessOptions options)
{
    private const int Step = 0, LiteralDomid = 1;
    private static readonly WeightTable DomidTable = new(240, 16);      // prev + 1..3, literal
    private static readonly WeightTable TargetTable = new(176, 40, 40); // none, dom0, literal
    private static readonly WeightTable HomeTable = new(192, 64);       // home, none

    public sealed record Header(List<DomainSetup> Domains, List<NodeSetup> Homes, int NodeCount);

    public Header DecodeHeader(Choices c)
    {
        var domains = new List<DomainSetup>();
        var homes = new List<NodeSetup>();
        var previous = 0;
        while (domains.Count < options.MaxInitialDomains && c.More())
        {
            var domid = c.Weighted(DomidTable) == Step ? previous + 1 + c.Choose(3) : c.SignedVarint();
            int? target = c.Weighted(TargetTable) switch
            {
                0 => null,
                1 => 0,
                _ => c.SignedVarint(),
            };
            domains.Add(new DomainSetup(domid, target));
            if (c.Weighted(HomeTable) == 0) homes.Add(Home(domid));
            previous = domid;
        }
        return new Header(domains, homes, c.Choose(options.MaxInitialNodes + 1));
    }

    /// <summary>
    /// Writes the header for a scenario; returns how many of its first nodes are the domains' homes
    /// (the decoder puts them first, in domain order).
    /// </summary>
    public int EncodeHeader(ChoiceWriter w, Scenario scenario)
    {
        if (scenario.Domains.Count > options.MaxInitialDomains)
            throw new ArgumentException($"{scenario.Domains.Count} initial domains exceed the bound {options.MaxInitialDomains}");
        var previous = 0;
        var homes = 0;
        foreach (var domain in scenario.Domains)
        {
            w.More(true);
            var delta = (long)domain.Domid - previous;
            if (delta is >= 1 and <= 3)
            {
                w.Weighted(DomidTable, Step);
                w.Choose((int)delta - 1, 3);
            }
            else
            {
                w.Weighted(DomidTable, LiteralDomid);
                w.SignedVarint(domain.Domid);
            }
            switch (domain.Target)
            {
                case null: w.Weighted(TargetTable, 0); break;
                case 0: w.Weighted(TargetTable, 1); break;
                case { } t:
                    w.Weighted(TargetTable, 2);
                    w.SignedVarint(t);
                    break;
            }
            var hasHome = homes < scenario.Nodes.Count && scenario.Nodes[homes] == Home(domain.Domid);
            w.Weighted(HomeTable, hasHome ? 0 : 1);
            if (hasHome) homes++;
            previous = domain.Domid;
        }
        if (scenario.Domains.Count < options.MaxInitialDomains) w.More(false);
        var records = scenario.Nodes.Count - homes;
        if (records > options.MaxInitialNodes)
            throw new ArgumentException($"{records} initial nodes exceed the bound {options.MaxInitialNodes}");
        w.Choose(records, options.MaxInitialNodes + 1);
        return homes;
    }

    public NodeSetup DecodeNode(Choices c, LiveView view)
    {
        var path = PathChooser.Decode(c, view, vocab, Xenstored.Dom0, PathChooser.ForSetup);
        var value = ValueChooser.Decode(c, view, vocab);
        return new NodeSetup(path, value, PermsChooser.DecodeOptionalList(c, view).ToValueList());
    }

    public void EncodeNode(ChoiceWriter w, LiveView view, NodeSetup node)
    {
        PathChooser.Encode(w, view, vocab, Xenstored.Dom0, node.Path, PathChooser.ForSetup);
        ValueChooser.Encode(w, vocab, node.Value);
        PermsChooser.EncodeOptionalList(w, view, node.Perms);
    }

    /// <summary>A domain's home: /local/domain/N, empty, owned by N with no access for others.</summary>
    public static NodeSetup Home(int domid)
    {
        var n = domid.ToString(CultureInfo.InvariantCulture);
        return new NodeSetup("/local/domain/" + n, "", ValueList.Of("n" + n));
    }
}
