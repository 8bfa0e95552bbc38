using System.CommandLine;
using System.Globalization;
using XsFuzz.Harness;
using XsFuzz.Harness.Corpus;
using XsFuzz.Harness.Scenarios;
using Command = System.CommandLine.Command;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz corpus --out DIR [--count N] [--force]`: seed inputs for AFL. First the hand-written scenarios (every op,
/// live updates with open transactions and queued events), encoded; then, up to N, random inputs
/// re-encoded through their scenarios (compact, and varied).
/// </summary>
internal static class CorpusCommand
{
    private const int MaxCount = 100_000;

    public static Command Create(CliIo io)
    {
        var outDir = new Option<string>("--out") { Description = "directory to write the inputs to", Required = true, HelpName = "DIR" };
        var count = new Option<int?>("--count") { Description = $"number of inputs (default: the {SeedScenarios.All.Count} hand-written ones)", HelpName = "N" };
        var seed = new Option<int>("--seed") { Description = "seed for the random extra inputs", DefaultValueFactory = _ => 1, HelpName = "S" };
        var force = CommonOptions.Force();
        var command = new Command("corpus", "write a seed corpus of inputs into a new or empty directory") { outDir, count, seed, force };
        command.SetAction(parse =>
        {
            var dir = parse.GetValue(outDir)!;
            var n = parse.GetValue(count) ?? SeedScenarios.All.Count;
            if (n < 1 || n > MaxCount) throw new UsageException($"--count must be between 1 and {MaxCount}");
            var replace = parse.GetValue(force);
            CommonOptions.PrepareOutputDirectory(dir, mustBeEmpty: true, replace);
            var options = HarnessOptions.Default;
            var written = 0;
            foreach (var (name, text) in SeedScenarios.All)
            {
                if (written >= n) break;
                var bytes = ScenarioEncoder.Encode(ScenarioParser.Parse(text), options);
                CommonOptions.WriteOutput(Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"{written:D3}-{name}.bin")), bytes, replace);
                written++;
            }
            var random = new RandomInputs(parse.GetValue(seed));
            while (written < n)
            {
                var scenario = ScenarioDecoder.Decode(random.Next(options.MaxCommands), options);
                if (scenario.Commands.Count == 0) continue;
                var bytes = ScenarioEncoder.Encode(scenario, options);
                CommonOptions.WriteOutput(Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"{written:D3}-random.bin")), bytes, replace);
                written++;
            }
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {written} inputs to {dir}"));
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
