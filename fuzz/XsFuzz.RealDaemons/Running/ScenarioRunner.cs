using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore;

namespace XsFuzz.RealDaemons.Running;

/// <summary>The result of one scenario on fresh daemons; diagnostics are filled only on a divergence.</summary>
public sealed record ScenarioOutcome(Divergence? Divergence, RunStats Stats, string Diagnostics);

/// <summary>
/// Runs one scenario on fresh sides and tears them down: nothing is reused between scenarios, so no
/// state can leak from one to the next. lu starts two daemons (in parallel), diff one daemon and a
/// model whose /tool/xenstored is the sandbox's binary path, as oxenstored writes its own path there.
/// </summary>
public sealed class ScenarioRunner(SandboxLayout layout, RunDescription run, RunSettings settings)
{
    public RunDescription Run => run;

    /// <exception cref="SandboxException">A daemon would not start.</exception>
    public ScenarioOutcome Execute(Scenario scenario)
    {
        var (a, b) = StartSides();
        try
        {
            var pair = new PairRun(a, b, run.Mode, StateCheck.Walks);
            var divergence = pair.Run(scenario);
            pair.Stats.DaemonsStarted += run.Mode == PairMode.LiveUpdate ? 2 : 1;
            var diagnostics = divergence is null ? "" : (a.Diagnostics() + "\n" + b.Diagnostics()).Trim();
            return new ScenarioOutcome(divergence, pair.Stats, diagnostics);
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }
    }

    private (ITarget A, ITarget B) StartSides()
    {
        if (run.Mode == PairMode.Diff)
        {
            var config = XenstoredConfig.Debian with { ToolXenstoredValue = layout.Binary(run.Kind) };
            return (RealTarget.Start(run.LabelA, layout, run.Kind, settings), new ModelTarget(config, layout: Slots.ModelLayout));
        }
        var startB = Task.Run(() => RealTarget.Start(run.LabelB, layout, run.Kind, settings));
        RealTarget a;
        try
        {
            a = RealTarget.Start(run.LabelA, layout, run.Kind, settings);
        }
        catch
        {
            try { startB.GetAwaiter().GetResult().Dispose(); }
            catch (SandboxException) { }
            throw;
        }
        try
        {
            return (a, startB.GetAwaiter().GetResult());
        }
        catch
        {
            a.Dispose();
            throw;
        }
    }
}
