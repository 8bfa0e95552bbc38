using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Running;

namespace XsFuzz.RealDaemons.Campaign;

/// <summary>
/// Makes a disagreeing scenario smaller while it still disagrees with the same signature on fresh
/// daemons: cut after the divergent step, then delta debugging (ddmin) over the commands, the domains
/// and the initial nodes. Every try starts new daemons, so it is bounded by a number of runs.
/// </summary>
public sealed class RealShrinker(ScenarioRunner runner, int maxRuns)
{
    private int _runs;

    public int Runs => _runs;

    public Scenario Shrink(Scenario scenario, RealDivergence divergence)
    {
        var signature = divergence.Signature;
        bool Fails(Scenario s)
        {
            if (_runs >= maxRuns) return false;
            _runs++;
            try { return runner.Execute(s).Divergence?.Signature == signature; }
            catch (Sandbox.SandboxException) { return false; }
        }
        var current = scenario;
        if (divergence.Step >= 1 && divergence.Step < current.Commands.Count)
        {
            var cut = current with { Commands = current.Commands.Take(divergence.Step).ToValueList() };
            if (Fails(cut)) current = cut;
        }
        current = current with { Commands = Minimize([.. current.Commands], l => Fails(current with { Commands = l.ToValueList() })).ToValueList() };
        current = current with { Domains = Minimize([.. current.Domains], l => Fails(current with { Domains = l.ToValueList() })).ToValueList() };
        current = current with { Nodes = Minimize([.. current.Nodes], l => Fails(current with { Nodes = l.ToValueList() })).ToValueList() };
        return current;
    }

    /// <summary>Zeller's ddmin (complement variant): drop ever smaller chunks while it still fails.</summary>
    internal static List<T> Minimize<T>(List<T> items, Func<List<T>, bool> stillFails)
    {
        var granularity = 2;
        while (items.Count > 0)
        {
            var chunk = (items.Count + granularity - 1) / granularity;
            var reduced = false;
            for (var start = 0; start < items.Count && !reduced; start += chunk)
            {
                var candidate = items.Where((_, i) => i < start || i >= start + chunk).ToList();
                if (!stillFails(candidate)) continue;
                items = candidate;
                granularity = Math.Max(granularity - 1, 2);
                reduced = true;
            }
            if (reduced) continue;
            if (granularity >= items.Count) break;
            granularity = Math.Min(items.Count, granularity * 2);
        }
        return items;
    }
}
