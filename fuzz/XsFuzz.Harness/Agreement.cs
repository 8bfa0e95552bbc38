using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness;

/// <summary>
/// The model target's entry points: an input (or a scenario) on a pair of models, one live-updated at
/// every LIVE-UPDATE, one not (<see cref="PairRun.Models"/>). The AFL and libFuzzer targets, `check`,
/// `replay`, the shrinker and the tests all come through here.
/// </summary>
public static class Agreement
{
    /// <summary>Decodes and checks an input. Throws <see cref="Disagreement"/> when the update was visible.</summary>
    public static RunStats Check(ReadOnlySpan<byte> input, LiveUpdateFault fault, HarnessOptions options)
    {
        var (divergence, scenario, stats) = Run(input, fault, options);
        if (divergence is not null) throw new Disagreement(divergence, scenario!, input.ToArray(), fault, options);
        return stats;
    }

    /// <summary>
    /// Decodes and runs an input, decoding each command against the reference right before it runs.
    /// Returns the first divergence (null if none) and, only then, the whole scenario the input decodes
    /// to (the run goes on with the reference alone to read it). No report is built.
    /// </summary>
    public static (Divergence? Divergence, Scenario? Scenario, RunStats Stats) Run(
        ReadOnlySpan<byte> input, LiveUpdateFault fault, HarnessOptions options)
    {
        var decoder = new ScenarioDecoder(input, options);
        var pair = PairRun.Models(decoder.Config.Config, fault);
        decoder.DecodeSetup(pair);
        Divergence? found = null;
        var step = 0;
        while (decoder.NextCommand(pair) is { } command)
        {
            // Always executed: after a divergence the reference alone goes on, so later commands decode as before.
            var divergence = pair.Execute(command, ++step);
            found ??= divergence;
        }
        found ??= pair.Finish(step + 1);
        return (found, found is null ? null : decoder.Scenario, pair.Stats);
    }

    /// <summary>Checks a scenario; the reproducer in a report is the scenario's encoding.</summary>
    public static RunStats Check(Scenario scenario, LiveUpdateFault fault, HarnessOptions options)
    {
        var (divergence, stats) = Run(scenario, fault, options);
        if (divergence is null) return stats;
        throw new Disagreement(divergence, scenario, ScenarioEncoder.TryEncode(scenario, options) ?? [], fault, options);
    }

    /// <summary>Runs a scenario and returns the first divergence (null if none), without building a report.</summary>
    public static (Divergence? Divergence, RunStats Stats) Run(Scenario scenario, LiveUpdateFault fault, HarnessOptions options)
    {
        var pair = PairRun.Models(options.ConfigOf(scenario).Config, fault);
        return (pair.Run(scenario), pair.Stats);
    }
}
