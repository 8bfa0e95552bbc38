using XsFuzz.Harness;
using XsFuzz.Triage.Campaigns;
using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Shrinking;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Triage;

/// <summary>How one input ended on the model pair.</summary>
public enum VerdictKind
{
    Agree,
    /// <summary>The live update was visible: the two instances disagreed.</summary>
    Disagree,
    /// <summary>The model itself threw (not a live-update disagreement, but a bug all the same).</summary>
    ModelCrashed,
}

/// <summary>One input's verdict, without a report (cheap: triage judges every file).</summary>
public sealed record Verdict(VerdictKind Kind, string? Signature, long Commands, long LiveUpdates);

/// <summary>A shrunk failing input and its report.</summary>
public sealed record ShrunkInput(byte[] Input, string Report, string Signature, int OriginalCommands, int Commands, int Runs);

/// <summary>
/// The one place where this project and the CLI's replay, shrink, print and check call into the harness
/// (Agreement, Shrinker, ScenarioDecoder, Disagreement). The harness's runners are being redesigned
/// (one runner for every pair of targets, one shrinker taking a predicate): when that lands, only this
/// file changes. A target other than the model pair gets its own methods here.
/// </summary>
public static class ModelHarness
{
    public static Verdict Judge(byte[] input, ReplaySettings settings)
    {
        try
        {
            var (divergence, _, stats) = Agreement.Run(input, settings.Fault, settings.Options);
            return divergence is null
                ? new Verdict(VerdictKind.Agree, null, stats.Commands, stats.LiveUpdates)
                : new Verdict(VerdictKind.Disagree, divergence.Signature, stats.Commands, stats.LiveUpdates);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new Verdict(VerdictKind.ModelCrashed, ModelCrashSignature(e), 0, 0);
        }
    }

    /// <summary>The full report of a failing input (the harness's text), or null when it agrees.</summary>
    public static string? Report(byte[] input, ReplaySettings settings)
    {
        try
        {
            Agreement.Check(input, settings.Fault, settings.Options);
            return null;
        }
        catch (Disagreement d)
        {
            return d.Report;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return ModelCrashReport(input, settings, e);
        }
    }

    /// <summary>
    /// The input shrunk on the scenario level with its report; null when it does not fail as a
    /// disagreement (agrees, or the model throws: the shrinker keeps disagreements only).
    /// </summary>
    public static ShrunkInput? Shrink(byte[] input, ReplaySettings settings)
    {
        ShrinkResult result;
        try
        {
            result = Shrinker.Shrink(input, settings.Fault, settings.Options);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
        if (Report(result.Input, settings) is not { } report) return null;
        return new ShrunkInput(result.Input, report, result.Signature, result.Original.Commands.Count, result.Shrunk.Commands.Count, result.Runs);
    }

    /// <summary>The scenario an input decodes to, as text.</summary>
    public static string Print(byte[] input, ReplaySettings settings) => ScenarioDecoder.Decode(input, settings.Options).ToString();

    private static string ModelCrashSignature(Exception e) => "model threw " + e.GetType().Name;

    private static string ModelCrashReport(byte[] input, ReplaySettings settings, Exception e)
    {
        string scenario;
        try { scenario = ScenarioDecoder.Decode(input, settings.Options).ToString(); }
        catch (Exception again) when (again is not OutOfMemoryException) { scenario = "(the decoder threw too: " + again.GetType().Name + ")\n"; }
        return "THE MODEL CRASHED (not a live-update disagreement)\n"
            + "signature: " + ModelCrashSignature(e) + "\n"
            + "fault: " + (settings.Fault == LiveUpdateFault.None ? "none" : FaultCatalog.NameOf(settings.Fault)) + "\n"
            + "\n--- exception ---\n" + e + "\n"
            + "\n--- scenario ---\n" + scenario
            + "\n--- reproduce ---\n"
            + "input (base64): " + Convert.ToBase64String(input) + "\n"
            + Reproducer.CommandLine(Convert.ToBase64String(input), settings.Fault, settings.Options) + "\n";
    }
}
