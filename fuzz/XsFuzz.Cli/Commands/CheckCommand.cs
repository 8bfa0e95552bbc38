using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XsFuzz.Harness;
using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Running;
using XsFuzz.Triage;
using XsFuzz.Triage.Campaigns;
using XsFuzz.Triage.Reports;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz check`: random inputs from a seed through the decoder and the property, with a progress line
/// every two seconds; on failure the input is saved, the report printed (shrunk first), exit code 1.
/// </summary>
internal static class CheckCommand
{
    private const long DefaultIterations = 10_000;

    public static Command Create(CliIo io)
    {
        var iterations = new Option<long?>("--iterations") { Description = $"inputs to try (default {DefaultIterations}, unbounded with --time)", HelpName = "N" };
        var seed = new Option<int>("--seed") { Description = "random seed; the same seed repeats the same inputs", DefaultValueFactory = _ => 1, HelpName = "S" };
        var time = new Option<string?>("--time") { Description = "stop after this long (90, 90s, 5m, 1h)", HelpName = "T" };
        var outDir = new Option<string>("--out") { Description = "directory for a failing input", DefaultValueFactory = _ => ".", HelpName = "DIR" };
        var maxCommands = CommonOptions.MaxCommands();
        var config = CommonOptions.Config();
        var fault = CommonOptions.Fault();
        var force = CommonOptions.Force();
        var noShrink = new Option<bool>("--no-shrink") { Description = "report a failure as found, without shrinking it first" };
        var full = new Option<bool>("--full") { Description = "print long values whole instead of eliding them" };
        var command = new Command("check", "run random inputs through the live-update property")
        {
            iterations, seed, time, maxCommands, config, fault, outDir, force, noShrink, full,
        };
        command.SetAction(parse => Run(io, parse.GetValue(iterations), parse.GetValue(seed), parse.GetValue(time),
            parse.GetValue(maxCommands), parse.GetValue(config), parse.GetValue(fault), parse.GetValue(outDir) ?? ".", parse.GetValue(force),
            !parse.GetValue(noShrink), parse.GetValue(full)));
        return command;
    }

    private static int Run(CliIo io, long? iterations, int seed, string? time, int? maxCommands, string? configName, string? faultName, string outDir,
        bool force, bool shrink, bool full)
    {
        var fault = CommonOptions.ParseFault(faultName);
        var options = CommonOptions.Harness(maxCommands, configName);
        var limit = time is null ? (TimeSpan?)null : CommonOptions.ParseDuration(time);
        var maxIterations = iterations ?? (limit is null ? DefaultIterations : long.MaxValue);
        if (maxIterations < 1) throw new UsageException("--iterations must be at least 1");
        CommonOptions.PrepareOutputDirectory(outDir, mustBeEmpty: false, force);

        var clock = Stopwatch.StartNew();
        var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        var nextProgress = TimeSpan.FromSeconds(2);
        var (lastIterations, lastTime) = (0L, TimeSpan.Zero);
        bool KeepGoing(long done, RunStats stats)
        {
            var elapsed = clock.Elapsed;
            if (limit is { } l && elapsed >= l) return false;
            if (elapsed >= nextProgress)
            {
                var recent = (done - lastIterations) / Math.Max((elapsed - lastTime).TotalSeconds, 1e-9);
                io.Err.WriteLine(Progress(done, stats, elapsed) + string.Create(CultureInfo.InvariantCulture, $"; now {recent:F0}/s"));
                (lastIterations, lastTime) = (done, elapsed);
                nextProgress = elapsed + TimeSpan.FromSeconds(2);
            }
            return true;
        }

        var result = RandomCheck.Run(seed, maxIterations, fault, options, KeepGoing);
        var seconds = clock.Elapsed;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds;
        if (result.Failure is not { } failure)
        {
            io.Out.WriteLine("ok: " + Progress(result.Iterations, result.Stats, seconds) + string.Create(CultureInfo.InvariantCulture,
                $"; {cpu:F1} s CPU ({result.Iterations / Math.Max(cpu, 1e-9):F0} scenarios per CPU second); no disagreement"));
            io.Out.WriteLine(QueueDepths(result.Stats));
            return XsfuzzApp.Ok;
        }

        // The report first: it holds a reproducer, so nothing is lost if the input cannot be saved.
        var settings = new ReplaySettings(Targets.Model, fault, options, null);
        var report = ModelHarness.Report(failure.Input, settings) ?? "(it agrees when run again: the model is not deterministic)\n";
        var shrunk = shrink && failure.Disagreement is not null ? ModelHarness.Shrink(failure.Input, settings) : null;
        var why = !shrink ? null : failure.Disagreement is null ? "the shrinker keeps disagreements only" : shrunk is null ? "the shrinker could not reproduce it" : null;
        io.Out.Write(FindingText.Render(report, failure.Input.Length, shrunk, why, full));
        if (failure.Disagreement is null) io.Out.WriteLine(Reproducer.CommandLine(Convert.ToBase64String(failure.Input), fault, options));
        var found = string.Create(CultureInfo.InvariantCulture, $"found at iteration {failure.Iteration} after {seconds.TotalSeconds:F2} s (seed {seed})");
        var file = Path.Combine(outDir, string.Create(CultureInfo.InvariantCulture, $"xsfuzz-failure-seed{seed}-iter{failure.Iteration}.bin"));
        try
        {
            if (File.Exists(file) && new FileInfo(file).LinkTarget is null && File.ReadAllBytes(file).AsSpan().SequenceEqual(failure.Input))
            {
                io.Out.WriteLine($"{found}; the input is already in {file}");
                return XsfuzzApp.Failed;
            }
            CommonOptions.WriteOutput(file, failure.Input, force);
        }
        catch (Exception e) when (e is UsageException or IOException or UnauthorizedAccessException)
        {
            io.Out.WriteLine($"{found}; the input was NOT saved (the reproducer above replays it)");
            io.Err.WriteLine($"xsfuzz: cannot save the failing input: {e.Message}");
            return XsfuzzApp.Failed;
        }
        io.Out.WriteLine($"{found}; input written to {file}");
        return XsfuzzApp.Failed;
    }

    /// <summary>The queue-depth distribution at dump time (live updates per bucket of queued packets).</summary>
    private static string QueueDepths(RunStats stats) => string.Create(CultureInfo.InvariantCulture,
        $"queued packets at dumps, all connections: {RunStats.Histogram(stats.QueuedAtDump)} (max {stats.MaxQueuedAtDump}); deepest connection: {RunStats.Histogram(stats.DeepestAtDump)}");

    private static string Progress(long iterations, RunStats stats, TimeSpan elapsed)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        return string.Create(CultureInfo.InvariantCulture,
            $"{iterations} scenarios in {elapsed.TotalSeconds:F1} s ({iterations / seconds:F0}/s), {stats.LiveUpdates} live updates ({stats.LiveUpdatesWithOpenTransactions} with open transactions, {stats.LiveUpdatesWithPartialInput} with a request half written), {stats.Commands} commands; {stats.ScenariosWithPartial} scenarios with a split request");
    }
}
