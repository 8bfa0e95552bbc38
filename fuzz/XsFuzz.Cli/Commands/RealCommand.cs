using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Campaign;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz real lu|diff`: the same scenarios on Debian's real daemons (scripts/real-sandbox.sh runs
/// them without a hypervisor). lu: two fresh daemons per scenario, one live-updated, which must agree;
/// diff: the real oxenstored against the model. Inputs are files or folders (a corpus, an AFL queue),
/// --base64, or random inputs. Disagreements are grouped by signature, each group's first scenario is
/// reported in --out, and known ones (the allow-list) do not fail the run. Exit 0: nothing new;
/// 1: a new disagreement; 2: bad usage or no sandbox.
/// </summary>
internal static class RealCommand
{
    /// <summary>
    /// Several scenarios per core: a run mostly waits (daemon start, re-exec, and oxenstored's refused
    /// updates, which take the one second of <c>-t 1</c>), so more jobs than cores keep the cores busy.
    /// </summary>
    private static readonly int DefaultJobs = Math.Min(16, 4 * Environment.ProcessorCount);

    public static Command Create(CliIo io) => new("real", "run scenarios against Debian's real oxenstored and C xenstored")
    {
        Mode(io, PairMode.LiveUpdate, "lu", "live-update agreement on the real daemon: one of two fresh daemons performs every live update"),
        Mode(io, PairMode.Diff, "diff", "the real oxenstored against the model: replies and events must be identical"),
    };

    private static Command Mode(CliIo io, PairMode mode, string name, string description)
    {
        var inputs = new Argument<string[]>("INPUT") { Description = "input files or folders (corpus, AFL queue); none: random inputs", Arity = ArgumentArity.ZeroOrMore };
        var base64 = new Option<string?>("--base64") { Description = "one input given as base64 (what reports print)", HelpName = "STR" };
        var daemon = new Option<string>("--daemon") { Description = "oxenstored or xenstored", DefaultValueFactory = _ => "oxenstored", HelpName = "NAME" };
        var jobs = new Option<int>("--jobs") { Description = "scenarios run in parallel", DefaultValueFactory = _ => DefaultJobs, HelpName = "N" };
        var time = new Option<string?>("--time") { Description = "stop after this long (90, 90s, 5m, 1h)", HelpName = "T" };
        var count = new Option<long?>("--count") { Description = "stop after N inputs (random inputs: default 100)", HelpName = "N" };
        var seed = new Option<int>("--seed") { Description = "seed of the random inputs", DefaultValueFactory = _ => 1, HelpName = "S" };
        var randomAfter = new Option<bool>("--random-after") { Description = "when the INPUT files are used up, go on with random inputs (until --time or --count)" };
        var outDir = new Option<string?>("--out") { Description = $"report folder (default findings/real/{name}-DAEMON)", HelpName = "DIR" };
        var known = new Option<string?>("--known") { Description = "allow-list file instead of the built-in known-differences.txt", HelpName = "FILE" };
        var shrink = new Option<int>("--shrink") { Description = "shrink each new disagreement with up to N daemon runs (0: off)", DefaultValueFactory = _ => 0, HelpName = "N" };
        var noConfirm = new Option<bool>("--no-confirm") { Description = "do not rerun a new disagreement to tell reproducible from flaky" };
        var force = new Option<bool>("--force") { Description = "xenstored only: live-update with -F, even with open transactions (which it drops)" };
        var luOverSocket = new Option<bool>("--lu-over-socket") { Description = "oxenstored only: request live updates over the control socket with -t 1 (each refusal waits 1 s) instead of over dom0's ring with -t 0" };
        var keep = new Option<bool>("--keep-run-folders") { Description = "keep each daemon's run folder (logs) under the sandbox cache" };
        var replyTimeout = new Option<double>("--reply-timeout") { Description = "seconds a step waits for the daemon", DefaultValueFactory = _ => 5, HelpName = "S" };
        var cache = new Option<string?>("--cache") { Description = "sandbox cache folder (default build/real)", HelpName = "DIR" };
        var sandbox = new Option<string?>("--sandbox") { Description = "path of scripts/real-sandbox.sh (default: found above the program or the current folder)", HelpName = "SCRIPT" };
        var maxCommands = CommonOptions.MaxCommands();
        var config = new Option<string?>("--config")
        {
            Description = $"run every input with this daemon configuration: a variant ({string.Join(", ", Xenstore.ConfigVariants.All.Select(c => c.Name))}) "
                + "or an oxenstored.conf file, given to oxenstored after Debian's file; default: each input's own choice, as check and replay "
                + "make it (xenstored: Debian's only, the C daemon has no equivalent of the others)",
            HelpName = "NAME|FILE",
        };
        var emitShell = new Option<string?>("--emit-shell") { Description = "run the one input once and write its finding as a shell script of xenstore-utils commands for a real Xen host", HelpName = "FILE" };
        var command = new Command(name, description)
        {
            inputs, base64, daemon, jobs, time, count, seed, randomAfter, outDir, known, shrink, noConfirm, force, luOverSocket, keep, replyTimeout, cache, sandbox, maxCommands, config, emitShell,
        };
        command.SetAction(parse =>
        {
            if (!DaemonKinds.TryParse(parse.GetValue(daemon)!, out var kind)) throw new UsageException("--daemon must be oxenstored or xenstored");
            if (mode == PairMode.Diff && kind != DaemonKind.Oxenstored) throw new UsageException("diff compares the model with oxenstored only (the model is of oxenstored)");
            if (parse.GetValue(force) && (mode != PairMode.LiveUpdate || kind != DaemonKind.Xenstored))
                throw new UsageException("--force is for `real lu --daemon xenstored` (oxenstored's -F only postpones the update)");
            if (parse.GetValue(luOverSocket) && kind != DaemonKind.Oxenstored)
                throw new UsageException("--lu-over-socket is for oxenstored (the C daemon's updates answer at once already)");
            var harness = Harness(kind, parse.GetValue(maxCommands), parse.GetValue(config));
            var run = new RunDescription(mode, kind) { Config = parse.GetValue(config) };
            var jobCount = parse.GetValue(jobs);
            if (jobCount is < 1 or > 64) throw new UsageException("--jobs must be between 1 and 64");
            var seconds = parse.GetValue(replyTimeout);
            if (seconds is <= 0 or > 600) throw new UsageException("--reply-timeout must be between 0 and 600 seconds");
            var files = parse.GetValue(inputs) ?? [];
            var b64 = parse.GetValue(base64);
            if (files.Length > 0 && b64 is not null) throw new UsageException("give INPUT files or --base64, not both");
            InputSource source;
            try
            {
                source = b64 is not null ? InputSource.Single("--base64", CommonOptions.ReadBase64(b64))
                    : files.Length > 0 && parse.GetValue(randomAfter) ? InputSource.Files(files).ThenRandom(parse.GetValue(seed), harness.MaxCommands)
                    : files.Length > 0 ? InputSource.Files(files)
                    : InputSource.Random(parse.GetValue(seed), harness.MaxCommands);
            }
            catch (FileNotFoundException e)
            {
                throw new UsageException(e.Message);
            }
            if (parse.GetValue(emitShell) is { } shellFile)
            {
                if (b64 is null && files.Length != 1) throw new UsageException("--emit-shell takes one input (a FILE or --base64)");
                var input = source.Next() ?? throw new UsageException("--emit-shell: no input");
                var settings = RunSettings.Default with { ForceXenstored = parse.GetValue(force), KeepRunFolders = parse.GetValue(keep), ReplyTimeout = TimeSpan.FromSeconds(seconds) };
                return RealShellEmitter.Emit(io, run, settings, harness, Layout(parse.GetValue(sandbox), parse.GetValue(cache)), input, shellFile);
            }
            var limit = parse.GetValue(time) is { } t ? CommonOptions.ParseDuration(t) : (TimeSpan?)null;
            var maxScenarios = parse.GetValue(count) ?? (b64 is null && files.Length == 0 && limit is null ? 100 : null);
            if (maxScenarios is < 1) throw new UsageException("--count must be at least 1");
            var options = new CampaignOptions(run, parse.GetValue(outDir) ?? Path.Combine("findings", "real", $"{name}-{kind.Name()}"), LoadKnown(parse.GetValue(known)))
            {
                Jobs = jobCount,
                Time = limit,
                Count = maxScenarios,
                Harness = harness,
                Confirm = !parse.GetValue(noConfirm),
                ShrinkRuns = Math.Max(0, parse.GetValue(shrink)),
                Settings = RunSettings.Default with
                {
                    ForceXenstored = parse.GetValue(force),
                    OxenstoredUpdateOverRing = !parse.GetValue(luOverSocket),
                    KeepRunFolders = parse.GetValue(keep),
                    ReplyTimeout = TimeSpan.FromSeconds(seconds),
                },
            };
            return Run(io, options, source, parse.GetValue(sandbox), parse.GetValue(cache));
        });
        return command;
    }

    /// <summary>
    /// The configurations inputs run with. oxenstored: the one <c>--config</c> names, else each input's own
    /// choice, decoded as check and replay decode it. The C daemon has no oxenstored.conf: it runs
    /// Debian's configuration only, so its inputs are decoded with Debian's pinned (as before), and a
    /// <c>--config</c> that changes any setting is refused, naming the settings.
    /// </summary>
    internal static Harness.HarnessOptions Harness(DaemonKind kind, int? maxCommands, string? config)
    {
        var harness = CommonOptions.Harness(maxCommands, config);
        if (kind == DaemonKind.Oxenstored) return harness;
        if (config is null) return harness.Pinned(Xenstore.ConfigVariants.Debian);
        var differences = Xenstore.OxenstoredConf.Differences(harness.Configs[0].Config, Xenstore.XenstoredConfig.Debian);
        if (differences.Count > 0) throw new UsageException($"--config {config}: " + ScenarioRunner.ConfigRefusal(kind, differences));
        return harness;
    }

    private static SandboxLayout Layout(string? script, string? cache)
    {
        try
        {
            return SandboxLayout.Prepare(script, cache);
        }
        catch (SandboxException e)
        {
            throw new UsageException("sandbox: " + e.Message);
        }
    }

    private static KnownDifferences LoadKnown(string? path)
    {
        try
        {
            return path is null ? KnownDifferences.Builtin() : KnownDifferences.Load(path);
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException("allow-list: " + e.Message);
        }
    }

    private static int Run(CliIo io, CampaignOptions options, InputSource source, string? script, string? cache)
    {
        var layout = Layout(script, cache);
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // finish the running scenarios (their daemons get killed), then summarise
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        io.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"xsfuzz real {options.Run.Command}: {options.Run.Kind.Name()} from {layout.Cache}, {options.Jobs} jobs, reports in {options.OutDir}"));
        var result = new RealCampaign(layout, options, io.Err).Run(source, stop.Token);
        var summary = SummaryTable.Render(options, result);
        io.Out.Write(summary);
        File.WriteAllText(Path.Combine(options.OutDir, "summary.txt"), summary);
        return result.NewSignatures == 0 && result.Aborted is null ? XsfuzzApp.Ok : XsfuzzApp.Failed;
    }
}
