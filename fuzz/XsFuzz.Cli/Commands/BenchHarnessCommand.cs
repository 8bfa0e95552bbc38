using System.CommandLine;
using System.Globalization;
using XsFuzz.Harness;
using XsFuzz.Harness.Corpus;
using XsFuzz.Harness.Running;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz bench-harness`: the in-process cost split of the harness on `check`'s random inputs: the
/// whole harness against its ideal (the model requests of both instances plus dump and restore), and
/// what lies outside the ideal (decoding, state comparison). scripts/bench-harness.sh runs it.
/// </summary>
internal static class BenchHarnessCommand
{
    public static Command Create(CliIo io)
    {
        var iterations = new Option<int>("--iterations") { Description = "random inputs per pass", DefaultValueFactory = _ => 2000 };
        var seed = new Option<int>("--seed") { Description = "random seed of the inputs (as in check)", DefaultValueFactory = _ => 1 };
        var repeat = new Option<int>("--repeat") { Description = "timed passes after one warm-up pass (the median is shown)", DefaultValueFactory = _ => 3 };
        var from = new Option<string?>("--inputs")
        {
            Description = "the input files of DIR (a corpus, an AFL queue) instead of random inputs, each run --iterations times in all (cycling)",
            HelpName = "DIR",
        };
        var command = new Command("bench-harness", "measure the harness's in-process cost against its ideal") { iterations, seed, repeat, from };
        command.SetAction(parse =>
        {
            var n = parse.GetValue(iterations);
            var passes = parse.GetValue(repeat);
            if (n is < 1 or > 1_000_000 || passes is < 1 or > 100) throw new UsageException("--iterations 1..1000000, --repeat 1..100");
            var options = HarnessOptions.Default;
            var inputs = parse.GetValue(from) is { } folder ? FromFolder(folder, n) : Random(parse.GetValue(seed), n, options);
            CostSplit.Measure(inputs, options); // warm-up: the JIT's tiers settle before anything is timed
            var runs = Enumerable.Range(0, passes).Select(_ => CostSplit.Measure(inputs, options)).ToList();
            Report(io, runs);
            return XsfuzzApp.Ok;
        });
        return command;
    }

    private static List<byte[]> Random(int seed, int n, HarnessOptions options)
    {
        var random = new RandomInputs(seed);
        return [.. Enumerable.Range(0, n).Select(_ => random.Next(options.MaxCommands))];
    }

    /// <summary>The folder's inputs, cycled to <paramref name="n"/> (AFL's inputs, not only the random generator's).</summary>
    private static List<byte[]> FromFolder(string folder, int n)
    {
        if (!Directory.Exists(folder)) throw new UsageException($"--inputs: '{folder}' is not a folder");
        var files = InputFiles.In(folder).Select(File.ReadAllBytes).ToList();
        if (files.Count == 0) throw new UsageException($"--inputs: '{folder}' holds no input file");
        return [.. Enumerable.Range(0, n).Select(i => files[i % files.Count])];
    }

    private static void Report(CliIo io, List<CostSplitResult> runs)
    {
        double Median(Func<CostSplitResult, double> field)
        {
            var values = runs.Select(field).Order().ToList();
            return values[values.Count / 2];
        }
        var scenarios = runs[0].Scenarios;
        var full = Median(r => r.Full);
        var ideal = Median(r => r.Ideal);
        void Line(string what, double ms) => io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what,-30} {ms,9:F1} ms {1000 * ms / scenarios,8:F1} us/scenario {100 * ms / full,6:F1} % of full"));
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{scenarios} scenarios, median of {runs.Count} passes"));
        Line("full harness (Agreement.Check)", full);
        Line("ideal = requests+dump+restore", ideal);
        Line("  requests, both instances", Median(r => r.Requests));
        Line("  dump", Median(r => r.Dump));
        Line("  restore", Median(r => r.Restore));
        Line("state comparison (not ideal)", Median(r => r.Compare));
        Line("decoding alone (not ideal)", Median(r => r.Decode));
        Line("  its reference run", Median(r => r.ReferenceRun));
        Line("  its choices", Median(r => r.Decode - r.ReferenceRun));
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"allocated: full {Median(r => r.FullBytes) / scenarios / 1024:F1} KiB/scenario, ideal {Median(r => r.IdealBytes) / scenarios / 1024:F1} KiB/scenario (dump {Median(r => r.DumpBytes) / scenarios / 1024:F1}, restore {Median(r => r.RestoreBytes) / scenarios / 1024:F1}), decoding {Median(r => r.DecodeBytes) / scenarios / 1024:F1} KiB/scenario (its reference run {Median(r => r.ReferenceRunBytes) / scenarios / 1024:F1})"));
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"full / ideal = {full / ideal:F2}"));
    }
}
