using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness;

/// <summary>
/// The property: a live update is invisible. Instance A performs every LIVE-UPDATE, instance B ignores
/// it; after every command the packets delivered must be byte-identical, after every live update and at
/// the end the canonical states must be equal. Open transactions are not touched: they carry on.
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
    /// Decodes and runs an input; returns the first divergence (null if none) and, only then, the whole
    /// scenario the input decodes to. No report is built (the shrinker calls this many times).
    /// </summary>
    public static (Divergence? Divergence, Scenario? Scenario, RunStats Stats) Run(
        ReadOnlySpan<byte> input, LiveUpdateFault fault, HarnessOptions options)
    {
        var decoder = new ScenarioDecoder(input, options);
        var session = new Session(options, fault, check: true);
        decoder.DecodeSetup(session);
        Divergence? found = null;
        var step = 0;
        // After a divergence the session carries on with the reference only, so that the report can show
        // the whole scenario the input decodes to.
        while (decoder.NextCommand(session) is { } command)
        {
            var divergence = session.Execute(command, ++step);
            found ??= divergence;
        }
        found ??= session.Finish(step + 1);
        return (found, found is null ? null : decoder.Scenario, session.Stats);
    }

    /// <summary>Checks a scenario; the reproducer in a report is the scenario's encoding.</summary>
    public static RunStats Check(Scenario scenario, LiveUpdateFault fault, HarnessOptions options)
    {
        var (divergence, stats) = Run(scenario, fault, options);
        if (divergence is null) return stats;
        byte[] input;
        try
        {
            input = ScenarioEncoder.Encode(scenario, options);
        }
        catch (ArgumentException)
        {
            input = []; // beyond the decoder's bounds: the report says there is no byte reproducer
        }
        throw new Disagreement(divergence, scenario, input, fault, options);
    }

    /// <summary>Runs a scenario and returns the first divergence (null if none), without building a report.</summary>
    public static (Divergence? Divergence, RunStats Stats) Run(Scenario scenario, LiveUpdateFault fault, HarnessOptions options)
    {
        var session = new Session(options, fault, check: true);
        foreach (var domain in scenario.Domains) session.ApplyDomain(domain);
        foreach (var node in scenario.Nodes) session.ApplyNode(node);
        session.FinishSetup();
        for (var step = 1; step <= scenario.Commands.Count; step++)
        {
            var divergence = session.Execute(scenario.Commands[step - 1], step);
            if (divergence is not null) return (divergence, session.Stats);
        }
        return (session.Finish(scenario.Commands.Count + 1), session.Stats);
    }
}
