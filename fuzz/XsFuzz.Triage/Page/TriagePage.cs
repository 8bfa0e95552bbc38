using System.Globalization;
using System.Net;
using System.Text;
using XsFuzz.Triage.Campaigns;
using XsFuzz.Triage.Findings;

namespace XsFuzz.Triage.Page;

/// <summary>
/// FINDINGS/triage/index.html: one static page, no script, no request to anything (styles and charts
/// inline), that opens from the disk. The signature table links each group's report (shrunk first)
/// and minimal input; the charts show each worker's execs, paths and crashes over time from AFL's
/// plot_data; the text table of the terminal is repeated at the end.
/// </summary>
public static class TriagePage
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:2em;max-width:72em;color:#222}
        h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
        table{border-collapse:collapse}th,td{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
        td.n{text-align:right}code,pre{font-family:ui-monospace,monospace;font-size:.9em}
        pre{background:#f6f6f6;padding:.8em;overflow-x:auto}.charts{display:flex;flex-wrap:wrap;gap:1em}
        svg text{font-size:11px;font-family:system-ui,sans-serif}svg text.t{font-weight:bold}svg line.a{stroke:#888}
        .agree{color:#777}
        """;

    public static string Render(string findings, TriageResult result, ReplaySettings settings, string table)
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<title>xsfuzz triage: ").Append(Html(Path.GetFileName(findings))).Append("</title>");
        html.Append("<style>").Append(Style).Append("</style></head><body>\n");
        html.Append("<h1>xsfuzz triage of <code>").Append(Html(findings)).Append("</code></h1>\n");
        html.Append("<p>Replayed with ").Append(Html(settings.Describe()));
        if (settings.Campaign?.Started is { } started) html.Append("; campaign started ").Append(Html(started));
        html.Append(Invariant($". {result.Files} saved input(s), {result.DistinctInputs} distinct, {result.Groups.Count} signature(s).</p>\n"));

        html.Append("<h2>Signatures</h2>\n");
        if (result.Groups.Count == 0) html.Append("<p>No crash and no hang.</p>\n");
        else Signatures(html, result);

        var workers = Workers(findings);
        html.Append("<h2>Campaign progress</h2>\n");
        if (workers.Count == 0) html.Append("<p>No AFL plot_data in this folder.</p>\n");
        else Charts(html, workers);

        html.Append("<h2>As printed</h2>\n<pre>").Append(Html(table)).Append("</pre>\n");
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Signatures(StringBuilder html, TriageResult result)
    {
        html.Append("<table><thead><tr><th>#</th><th>signature</th><th>count</th><th>first found</th><th>minimal</th></tr></thead><tbody>\n");
        foreach (var g in result.Groups)
        {
            var report = Href(g.FolderName + "/" + TriageWriter.ReportFile);
            var minimal = Href(g.FolderName + "/" + TriageWriter.MinimalFile);
            html.Append(g.Verdict == VerdictKind.Agree ? "<tr class=\"agree\">" : "<tr>");
            html.Append(Invariant($"<td class=\"n\">{g.Number}</td>"));
            html.Append("<td><a href=\"").Append(report).Append("\">").Append(Html(g.Signature)).Append("</a></td>");
            html.Append(Invariant($"<td class=\"n\">{g.Files.Count}</td>"));
            html.Append("<td>").Append(Html(g.First.FoundText)).Append("</td>");
            html.Append("<td><a href=\"").Append(minimal).Append("\">").Append(Invariant($"{g.Minimal.Length} bytes")).Append("</a>");
            html.Append(g.Shrunk is null ? " (not shrunk)" : Invariant($" (from {g.Representative.Bytes.Length})")).Append("</td></tr>\n");
        }
        html.Append("</tbody></table>\n");
    }

    private static void Charts(StringBuilder html, IReadOnlyList<(string Name, IReadOnlyList<PlotPoint> Points)> workers)
    {
        (string, IReadOnlyList<(double, double)>) Series(string name, IReadOnlyList<PlotPoint> points, Func<PlotPoint, double> y) =>
            (name, points.Select(p => (p.Seconds, y(p))).ToList());
        html.Append("<div class=\"charts\">\n");
        html.Append(SvgChart.Render("execs", workers.Select(w => Series(w.Name, w.Points, p => p.Execs)).ToList())).Append('\n');
        html.Append(SvgChart.Render("paths (corpus)", workers.Select(w => Series(w.Name, w.Points, p => p.Paths)).ToList())).Append('\n');
        html.Append(SvgChart.Render("crashes saved", workers.Select(w => Series(w.Name, w.Points, p => p.Crashes)).ToList())).Append('\n');
        html.Append("</div>\n<p>From each worker's <code>plot_data</code>; AFL++ writes its first sample after about a minute, then one every few seconds.</p>\n");
    }

    private static List<(string Name, IReadOnlyList<PlotPoint> Points)> Workers(string findings)
    {
        var list = new List<(string, IReadOnlyList<PlotPoint>)>();
        var dirs = File.Exists(Path.Combine(findings, "plot_data")) ? [findings] : Directory.GetDirectories(findings).Order(StringComparer.Ordinal).ToArray();
        foreach (var dir in dirs)
        {
            var file = Path.Combine(dir, "plot_data");
            if (!File.Exists(file)) continue;
            var points = PlotData.Read(file);
            if (points.Count > 0) list.Add((Path.GetFileName(dir), points));
        }
        return list;
    }

    /// <summary>A relative link; folder names are made of [a-z0-9-] already.</summary>
    private static string Href(string relative) => Html(Uri.EscapeDataString(relative).Replace("%2F", "/", StringComparison.Ordinal));

    private static string Html(string s) => WebUtility.HtmlEncode(s);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
