using XsFuzz.Harness;
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
/// when given, supply the daemons instead (copies from a <see cref="ForkServer"/>, started with Debian's
/// file). Every side runs the scenario's configuration, found among <paramref name="harness"/>'s (default:
/// Debian's only): oxenstored is given it as oxenstored.conf lines, the model as is.
/// </summary>
public sealed class ScenarioRunner(SandboxLayout layout, RunDescription run, RunSettings settings,
    IReadOnlyDictionary<string, string>? environmentA = null, IReadOnlyDictionary<string, string>? environmentB = null,
    Func<IDaemon>? daemonA = null, Func<IDaemon>? daemonB = null, HarnessOptions? harness = null)
{
    public RunDescription Run => run;

    /// <exception cref="SandboxException">A daemon would not start, or cannot run the scenario's configuration.</exception>
    public ScenarioOutcome Execute(Scenario scenario)
    {
        var config = (harness ?? HarnessOptions.DebianOnly).ConfigOf(scenario).Config;
        var (a, b) = StartSides(config);
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

    /// <summary>
    /// The daemon's environment with a configuration other than Debian's added as oxenstored.conf lines
    /// (real-sandbox.sh appends them to Debian's file). The C daemon has no oxenstored.conf: it runs
    /// Debian's configuration only, and a daemon copy from a fork server was started with Debian's too.
    /// </summary>
    private IReadOnlyDictionary<string, string>? WithConfig(IReadOnlyDictionary<string, string>? environment, XenstoredConfig config, Func<IDaemon>? copies)
    {
        if (Refusal(config) is { } why) throw new SandboxException(why);
        if (OxenstoredConf.Differences(config, XenstoredConfig.Debian).Count == 0) return environment;
        if (copies is not null) throw new SandboxException("a fork server's daemons run Debian's configuration only");
        var result = new Dictionary<string, string>(environment ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [ConfigVariable] = OxenstoredConf.Render(config),
        };
        return result;
    }

    /// <summary>Why this sandbox cannot run the scenario's configuration, or null when it can.</summary>
    public string? Refusal(Scenario scenario) => Refusal((harness ?? HarnessOptions.DebianOnly).ConfigOf(scenario).Config);

    private string? Refusal(XenstoredConfig config)
    {
        var differences = OxenstoredConf.Differences(config, XenstoredConfig.Debian);
        if (differences.Count == 0) return null;
        if (run.Kind != DaemonKind.Oxenstored) return ConfigRefusal(run.Kind, differences);
        // oxenstored writes its own path to /tool/xenstored at start under the value-size quota, and dies
        // of Quota.Data_too_big if it does not fit (Debian's path, 32 bytes, fits every variant).
        var binary = layout.Binary(run.Kind);
        return config.QuotaActivate && binary.Length > config.MaxSize
            ? $"oxenstored cannot start with quota-maxsize = {config.MaxSize}: its path {binary} ({binary.Length} bytes) goes to /tool/xenstored "
                + "under that quota; use a sandbox cache with a shorter path (--cache, XSFUZZ_REAL_CACHE)"
            : null;
    }

    /// <summary>real-sandbox.sh's variable: oxenstored.conf lines added after Debian's file.</summary>
    public const string ConfigVariable = "XSFUZZ_OXENSTORED_CONF";

    /// <summary>Why a daemon cannot run a configuration: the settings the C daemon has no equivalent of.</summary>
    public static string ConfigRefusal(DaemonKind kind, IReadOnlyList<string> differences) =>
        $"{kind.Name()} has no equivalent of {string.Join(", ", differences)} (it runs Debian's configuration only)";

    private static string? Death(ITarget target, string side) =>
        target is RealTarget { Exited: true } real && real.DeathNote() is { } note ? $"{side} died: {note}" : null;

    private (ITarget A, ITarget B) StartInTurn(IReadOnlyDictionary<string, string>? envA, IReadOnlyDictionary<string, string>? envB)
    {
        var a = RealTarget.Start(run.LabelA, layout, run.Kind, settings, envA, daemonA);
        try
        {
            return (a, RealTarget.Start(run.LabelB, layout, run.Kind, settings, envB, daemonB));
        }
        catch
        {
            a.Dispose();
            throw;
        }
    }

    private (ITarget A, ITarget B) StartSides(XenstoredConfig config)
    {
        var envA = WithConfig(environmentA, config, daemonA);
        if (run.Mode == PairMode.Diff)
        {
            var model = config with { ToolXenstoredValue = layout.Binary(run.Kind) };
            return (RealTarget.Start(run.LabelA, layout, run.Kind, settings, envA, daemonA), new ModelTarget(model, layout: Slots.ModelLayout));
        }
        var envB = WithConfig(environmentB, config, daemonB);
        if (!settings.StartSidesInParallel) return StartInTurn(envA, envB);
        var startB = Task.Run(() => RealTarget.Start(run.LabelB, layout, run.Kind, settings, envB, daemonB));
        RealTarget a;
        try
        {
            a = RealTarget.Start(run.LabelA, layout, run.Kind, settings, envA, daemonA);
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
