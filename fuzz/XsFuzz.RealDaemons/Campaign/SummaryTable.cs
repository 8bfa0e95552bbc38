using System.Globalization;
using System.Text;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.RealDaemons.Campaign;

/// <summary>The end-of-campaign summary: throughput, live updates, what was skipped, and one line per signature.</summary>
public static class SummaryTable
{
    public static string Render(CampaignOptions options, CampaignResult r)
    {
        var s = r.Stats;
        var text = new StringBuilder();
        var run = options.Run;
        text.Append(Inv($"== xsfuzz real {run.Command} --daemon {run.Kind.Name()}: summary\n"));
        text.Append(Inv($"scenarios       {s.Scenarios} in {r.Elapsed.TotalSeconds:F1} s: {r.ScenariosPerSecond:F2} scenarios/s ({options.Jobs} jobs, {s.DaemonsStarted} daemons started)\n"));
        text.Append(Inv($"inputs          {r.Inputs} read: {r.NothingToRun} with nothing to run, {r.Duplicates} repeats, {r.BadInputs} malformed; {r.SandboxErrors} sandbox errors"));
        if (r.Unrunnable > 0) text.Append(Inv($"; {r.Unrunnable} with a configuration this sandbox cannot run (see stderr)"));
        text.Append('\n');
        text.Append(Inv($"commands        {s.Commands} run"));
        if (s.Skipped.Count > 0)
            text.Append("; not run: ").Append(string.Join(", ", s.Skipped.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => Inv($"{k.Value} {k.Key}"))));
        text.Append('\n');
        // Counted over the scenarios that ran; a domU command is sent over its domain's ring. Payloads
        // over the limit are dropped for every connection, domUs included: the line above counts them.
        text.Append(Inv($"domU commands   {r.DomUSent} sent over rings, {r.DomUSkipped} not run\n"));
        text.Append(Inv($"live updates    {s.LiveUpdates} done, {s.RefusedTotal} refused"));
        if (s.Refused.Count > 0)
            text.Append(" (").Append(string.Join(", ", s.Refused.OrderByDescending(k => k.Value).Select(k => Inv($"{k.Key}: {k.Value}")))).Append(')');
        text.Append('\n');
        if (r.Aborted is not null) text.Append("ABORTED: ").Append(r.Aborted).Append('\n');
        text.Append(Inv($"disagreements   {r.Groups.Count} signatures, {r.Groups.Sum(g => g.Count)} scenarios\n"));
        foreach (var g in r.Groups)
        {
            text.Append(Inv($"  {Status(g.Status),-6} {g.Count,6}  {g.Signature}\n"));
            text.Append("                report: ").Append(g.ShrunkReportPath ?? g.ReportPath ?? "(none)").Append('\n');
            if (g.Known is { } k) text.Append("                known: ").Append(Clip(k.Reason, 110)).Append('\n');
        }
        var fresh = r.NewSignatures;
        text.Append(fresh == 0 ? "verdict: no new disagreement\n" : Inv($"verdict: {fresh} NEW disagreement signature(s)\n"));
        return text.ToString();
    }

    private static string Status(FindingStatus status) => status switch
    {
        FindingStatus.New => "NEW",
        FindingStatus.Known => "known",
        _ => "flaky",
    };

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 3)] + "...";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
