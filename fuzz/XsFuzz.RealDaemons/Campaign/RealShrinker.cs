using XsFuzz.Harness;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Harness.Shrinking;
using XsFuzz.RealDaemons.Running;

namespace XsFuzz.RealDaemons.Campaign;

/// <summary>
/// The harness's shrinker on real daemons: a candidate still fails when fresh daemons disagree with the
/// same signature. Every try starts new daemons, so it is bounded by a number of runs.
/// </summary>
public sealed class RealShrinker(ScenarioRunner runner, HarnessOptions options, int maxRuns)
{
    private Shrinker? _shrinker;

    public int Runs => _shrinker?.Runs ?? 0;

    public Scenario Shrink(Scenario scenario, Divergence divergence)
    {
        var signature = divergence.Signature;
        _shrinker = new Shrinker(s =>
        {
            try { return OutcomeFinding.Of(runner.Execute(s), s)?.Signature == signature; }
            catch (Sandbox.SandboxException) { return false; }
        }, options, maxRuns);
        return _shrinker.Shrink(scenario, divergence.Step);
    }
}
