using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// The result of one scenario on fresh daemons; diagnostics are filled only on a divergence. Death names
/// a daemon that had exited by the end of a run without a divergence ("A died: ..."): both sides dying
/// alike leaves nothing to compare, yet is a crash.
/// </summary>
public sealed record ScenarioOutcome(Divergence? Divergence, RunStats Stats, string Diagnostics, string? Death = null);

/// <summary>
/// Runs one scenario on fresh sides and tears them down: nothing is reused between scenarios, so no
/// state can leak from one to the next. lu starts two daemons (in parallel unless
/// <see cref="RunSettings.StartSidesInParallel"/> says not), diff one daemon and a
/// model whose /tool/xenstored is the sandbox's binary path, as oxenstored writes its own path there.
/// <paramref name="environmentA"/> and <paramref name="environmentB"/> go to the daemons of side A and
/// B (the coverage maps of xsfuzz afl --daemon). <paramref name="daemonA"/> and <paramref name="daemonB"/>,
/// when given, supply the daemons instead (copies from a <see cref="ForkServer"/>).
/// </summary>
public sealed class ScenarioRunner(SandboxLayout layout, RunDescription run, RunSettings settings,
    IReadOnlyDictionary<string, string>? environmentA = null, IReadOnlyDictionary<string, string>? environmentB = null,
    Func<IDaemon>? daemonA = null, Func<IDaemon>? daemonB = null)
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
            var death = divergence is null ? Death(a, "A") ?? Death(b, "B") : null;
            var diagnostics = divergence is null && death is null ? "" : (a.Diagnostics() + "\n" + b.Diagnostics()).Trim();
            return new ScenarioOutcome(divergence, pair.Stats, diagnostics, death);
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }
    }

    private static string? Death(ITarget target, string side) =>
        target is RealTarget { Exited: true } real && real.DeathNote() is { } note ? $"{side} died: {note}" : null;

    private (ITarget A, ITarget B) StartInTurn()
    {
        var a = RealTarget.Start(run.LabelA, layout, run.Kind, settings, environmentA, daemonA);
        try
        {
            return (a, RealTarget.Start(run.LabelB, layout, run.Kind, settings, environmentB, daemonB));
        }
        catch
        {
            a.Dispose();
            throw;
        }
    }

    private (ITarget A, ITarget B) StartSides()
    {
        if (run.Mode == PairMode.Diff)
        {
            var config = XenstoredConfig.Debian with { ToolXenstoredValue = layout.Binary(run.Kind) };
            return (RealTarget.Start(run.LabelA, layout, run.Kind, settings, environmentA, daemonA), new ModelTarget(config, layout: Slots.ModelLayout));
        }
        if (!settings.StartSidesInParallel) return StartInTurn();
        var startB = Task.Run(() => RealTarget.Start(run.LabelB, layout, run.Kind, settings, environmentB, daemonB));
        RealTarget a;
        try
        {
            a = RealTarget.Start(run.LabelA, layout, run.Kind, settings, environmentA, daemonA);
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
