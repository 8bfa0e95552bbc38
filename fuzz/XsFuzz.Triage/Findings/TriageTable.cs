using System.Globalization;
using System.Text;
using XsFuzz.Triage.Campaigns;

namespace XsFuzz.Triage.Findings;

/// <summary>The text summary of a triage: one line per signature, then where the reports are.</summary>
public static class TriageTable
{
    public static string Render(string findings, TriageResult result, ReplaySettings settings, string? triageFolder)
    {
        var text = new StringBuilder();
        var groups = result.Groups;
        text.Append(string.Create(CultureInfo.InvariantCulture,
            $"triage of {findings}: {result.Files} file(s), {result.DistinctInputs} distinct, {groups.Count} signature(s); replayed in {result.ReplayTime.TotalSeconds:F1} s, reports and shrinking {result.ShrinkTime.TotalSeconds:F1} s\n"));
        text.Append("replayed with ").Append(settings.Describe()).Append('\n');
        if (groups.Count == 0)
        {
            text.Append(result.Files == 0 ? "no crash, no hang\n" : "no failure: every input agrees\n");
            return text.ToString();
        }
        text.Append('\n');
        text.Append(string.Create(CultureInfo.InvariantCulture, $"{"#",3}  {"count",5}  {"first found",-14}  {"minimal",-10}  signature\n"));
        foreach (var g in groups)
        {
            var minimal = string.Create(CultureInfo.InvariantCulture, $"{g.Minimal.Length} bytes") + (g.Shrunk is null ? "*" : "");
            text.Append(string.Create(CultureInfo.InvariantCulture,
                $"{g.Number,3}  {g.Files.Count,5}  {g.First.FoundText,-14}  {minimal,-10}  {g.Signature}\n"));
        }
        if (groups.Any(g => g.Shrunk is null)) text.Append("(* not shrunk: see the report for why)\n");
        if (result.Agreeing > 0)
            text.Append(string.Create(CultureInfo.InvariantCulture, $"({result.Agreeing} other input(s) agree)\n"));
        if (triageFolder is not null)
        {
            text.Append("\nreports (shrunk first), minimal inputs and reproducers: ").Append(triageFolder).Append("/N-*/\n");
            text.Append("page: ").Append(Path.Combine(triageFolder, TriageWriter.Page)).Append('\n');
        }
        return text.ToString();
    }
}
