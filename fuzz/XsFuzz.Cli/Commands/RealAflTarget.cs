using XsFuzz.Harness;
using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// The target of `xsfuzz afl --daemon KIND`: each input is decoded exactly as the model target decodes
/// it (<see cref="ScenarioDecoder.Decode"/>), cut to what the sandbox runs (<see cref="ScenarioMapper"/>)
/// and run on two traced daemons (real-build.sh's "traced" build), A performing every live update
/// and B none, as `xsfuzz real lu` runs it. By default each side's daemon is a fresh copy forked from
/// a daemon set up once (<see cref="ForkServer"/>); with forked false, two new daemons per input. Each side writes its edges into a <see cref="CoverageMap"/>
/// of its own; when both daemons are dead (the runner kills and reaps them), both maps are folded into
/// the map afl-fuzz reads. A divergence whose signature the allow-list does not know, and a daemon that
/// died by the end of a run without one, throw <see cref="RealDaemonFinding"/>: an AFL crash, whose
/// file replays with the reproducer in its message. An allow-listed one goes to the <see cref="KnownFindingLog"/>,
/// if there is one (AFL keeps no record of it); a new one also goes to the <see cref="CrashSignatureLog"/>, if there
/// is one (AFL keeps the input of a crash, not what it was).
/// </summary>
internal sealed class RealAflTarget : IDisposable
{
    /// <summary>real-build.sh's instrumented build.</summary>
    public const string TracedBuild = "traced";

    private readonly RunDescription _run;
    private readonly KnownDifferences _known;
    private readonly KnownFindingLog? _knownLog;
    private readonly CrashSignatureLog? _crashLog;
    private readonly CoverageMap _mapA;
    private readonly CoverageMap _mapB;
    private readonly ScenarioRunner _runner;
    private readonly ForkServer? _serverA;
    private readonly ForkServer? _serverB;
    private readonly HarnessOptions _options = HarnessOptions.DebianOnly; // the sandbox runs Debian's file

    private readonly bool _hitCounts;
    private readonly string _replayFlags;

    /// <summary>
    /// The longest a run may take before its daemons are killed (<see cref="RunBudget"/>): below the
    /// -t of the scripts' campaigns (5000 ms for xenstored, 20000 for oxenstored), far above a run's
    /// usual tens of milliseconds. Only forked copies are killed; fresh daemons wait out their timeouts.
    /// </summary>
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a step waits for its answer: well below <see cref="Budget"/>, so that a daemon that has
    /// stopped answering a connection (oxenstored after a second INTRODUCE, allow-list entry 019) is
    /// recorded as the divergence it is instead of ending the run as a hang. An answer takes
    /// microseconds to milliseconds; a connection that missed one waits only briefly afterwards
    /// (RingConnection's deaf wait), so the first missed answer is what this bounds.
    /// </summary>
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(1);
    private readonly RunBudget _budget;

    /// <param name="hitCounts">Fold the daemons' hit counts (true) or only which edges they hit.</param>
    /// <param name="forked">Fork each side's daemon from a fork server (true) or start it afresh.</param>
    /// <param name="overRing">oxenstored: live updates over dom0's ring (RunSettings.OxenstoredUpdateOverRing).</param>
    /// <param name="knownLog">Where allow-listed differences are recorded, or null.</param>
    /// <param name="crashLog">Where the signatures of new ones (AFL crashes) are recorded, or null.</param>
    public RealAflTarget(SandboxLayout layout, DaemonKind kind, KnownDifferences known, bool hitCounts, bool forked = true, bool overRing = true,
        KnownFindingLog? knownLog = null, CrashSignatureLog? crashLog = null)
    {
        _knownLog = knownLog;
        _crashLog = crashLog;
        var settings = RunSettings.Default with
        {
            OxenstoredUpdateOverRing = overRing, StartSidesInParallel = false, ReplyTimeout = ReplyTimeout, WakeOnlyWhenIdle = true,
        };
        _replayFlags = overRing ? "" : " --lu-over-socket";
        _hitCounts = hitCounts;
        _run = new RunDescription(PairMode.LiveUpdate, kind);
        _known = known;
        _mapA = CoverageMap.Create();
        try
        {
            _mapB = CoverageMap.Create();
        }
        catch
        {
            _mapA.Dispose();
            throw;
        }
        if (forked)
        {
            _serverA = new ForkServer(layout, kind, settings.StartTimeout, _mapA.Environment);
            _serverB = new ForkServer(layout, kind, settings.StartTimeout, _mapB.Environment);
        }
        _runner = new ScenarioRunner(layout, _run, settings, _mapA.Environment, _mapB.Environment,
            _serverA is null ? null : _serverA.Fork, _serverB is null ? null : _serverB.Fork);
        _budget = new RunBudget(Budget, () =>
        {
            _serverA?.Abort();
            _serverB?.Abort();
        });
    }

    /// <summary>
    /// Runs one input; its daemons' edges stay in the side maps until <see cref="Fold"/>, so that the
    /// harness's own edges can be judged alone (FirstUseFilter).
    /// </summary>
    /// <exception cref="RealDaemonFinding">An unknown divergence or a dead daemon.</exception>
    /// <exception cref="SandboxException">A daemon would not start, twice in a row.</exception>
    public void Run(ReadOnlySpan<byte> input)
    {
        var mapped = ScenarioMapper.Map(ScenarioDecoder.Decode(input, _options));
        if (mapped.Runnable.Commands.Count == 0)   // as real lu: nothing reaches a live update
        {
            _mapA.Clear();
            _mapB.Clear();
            return;
        }
        Prepare();
        _mapA.Clear();
        _mapB.Clear();
        ScenarioOutcome? outcome;
        try
        {
            outcome = _budget.Run(() => Execute(mapped));
        }
        catch (SandboxException) when (_budget.Exceeded)
        {
            outcome = null;
        }
        if (outcome is null || _budget.Exceeded)
        {
            // A hang, not a crash (afl-fuzz's own hangs need a target that survives its -t): said on
            // stderr, which afl-fuzz shows with AFL_DEBUG_CHILD=1.
            Console.Error.WriteLine($"xsfuzz afl --daemon {_run.Kind.Name()}: a run outlasted {Budget.TotalSeconds:F0} s and its daemons were killed; replay: {_run.Reproducer(Convert.ToBase64String(input))}{_replayFlags}");
            return;
        }
        var signature = outcome.Divergence?.Signature ?? outcome.Death;
        if (signature is null) return;
        if (_known.Match(_run, signature) is { } entry)
        {
            _knownLog?.Record(entry, signature, input);
            return;
        }
        var base64 = ScenarioEncoder.TryEncode(mapped.Runnable, _options) is { } bytes ? Convert.ToBase64String(bytes) : Convert.ToBase64String(input);
        var replay = _run.Reproducer(base64) + _replayFlags;
        _crashLog?.Record(signature, replay);
        throw new RealDaemonFinding($"{_run.Kind.Name()}: {signature}\nreplay: {replay}\n{outcome.Diagnostics}");
    }

    /// <summary>Adds the last run's daemon edges (both sides) into <paramref name="aflMap"/>, the map afl-fuzz reads.</summary>
    public void Fold(Span<byte> aflMap)
    {
        _mapA.FoldInto(aflMap, _hitCounts);
        _mapB.FoldInto(aflMap, _hitCounts);
    }

    /// <summary>
    /// A daemon that will not start is the machine's trouble (load, a full disk), not the input's: one
    /// more try before it becomes an AFL crash.
    /// </summary>
    private ScenarioOutcome Execute(MappedScenario mapped)
    {
        try
        {
            return _runner.Execute(mapped.Runnable);
        }
        catch (SandboxException) when (!_budget.Exceeded)
        {
            Prepare();
            _mapA.Clear();
            _mapB.Clear();
            return _runner.Execute(mapped.Runnable);
        }
    }

    /// <summary>The fork servers' start-up edges belong to no input: they are made before the maps are cleared.</summary>
    private void Prepare()
    {
        _serverA?.Prepare();
        _serverB?.Prepare();
    }

    public void Dispose()
    {
        _serverA?.Dispose();
        _serverB?.Dispose();
        _mapA.Dispose();
        _mapB.Dispose();
    }
}

/// <summary>What a real daemon did that the allow-list does not explain: an AFL crash.</summary>
internal sealed class RealDaemonFinding(string message) : Exception(message);
