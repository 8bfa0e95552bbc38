using System.Globalization;
using System.Net;
using System.Text;

namespace XsFuzz.Triage.Page;

/// <summary>A line chart as inline SVG: one line per series, time on x, min and max labelled; no script.</summary>
public static class SvgChart
{
    private const int Width = 420, Height = 180, Left = 64, Right = 12, Top = 24, Bottom = 30;
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

    public static string Render(string title, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series)
    {
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y)).ToList();
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Html(title)}\">"));
        svg.Append(Invariant($"<text x=\"{Left}\" y=\"15\" class=\"t\">{Html(title)}</text>"));
        if (points.Count == 0)
        {
            svg.Append(Invariant($"<text x=\"{Left}\" y=\"{Height / 2}\">no data</text></svg>"));
            return svg.ToString();
        }
        var (x0, x1) = (0.0, Math.Max(points.Max(p => p.X), 1));
        var (y0, y1) = (0.0, Math.Max(points.Max(p => p.Y), 1));
        double Px(double x) => Left + (x - x0) / (x1 - x0) * (Width - Left - Right);
        double Py(double y) => Height - Bottom - (y - y0) / (y1 - y0) * (Height - Top - Bottom);
        svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Py(0):F1}\" x2=\"{Width - Right}\" y2=\"{Py(0):F1}\" class=\"a\"/>"));
        svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Py(0):F1}\" class=\"a\"/>"));
        svg.Append(Invariant($"<text x=\"{Left - 4}\" y=\"{Py(y1) + 4:F1}\" text-anchor=\"end\">{Number(y1)}</text>"));
        svg.Append(Invariant($"<text x=\"{Left - 4}\" y=\"{Py(0) + 4:F1}\" text-anchor=\"end\">0</text>"));
        svg.Append(Invariant($"<text x=\"{Left}\" y=\"{Height - 10}\">0 s</text>"));
        svg.Append(Invariant($"<text x=\"{Width - Right}\" y=\"{Height - 10}\" text-anchor=\"end\">{Findings.FindingFile.Duration(TimeSpan.FromSeconds(x1))}</text>"));
        for (var i = 0; i < series.Count; i++)
        {
            var colour = Colours[i % Colours.Length];
            var line = string.Join(' ', series[i].Points.Where(p => double.IsFinite(p.Y)).Select(p => Invariant($"{Px(p.X):F1},{Py(p.Y):F1}")));
            if (line.Length == 0) continue;
            svg.Append(Invariant($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{line}\"/>"));
            svg.Append(Invariant($"<text x=\"{Width - Right}\" y=\"{15 + 12 * i}\" text-anchor=\"end\" fill=\"{colour}\">{Html(series[i].Name)}</text>"));
        }
        return svg.Append("</svg>").ToString();
    }

    /// <summary>1234567 as "1.2M": axis labels stay short.</summary>
    private static string Number(double v) =>
        v >= 1e9 ? Invariant($"{v / 1e9:0.#}G") : v >= 1e6 ? Invariant($"{v / 1e6:0.#}M") : v >= 1e4 ? Invariant($"{v / 1e3:0.#}k") : Invariant($"{v:0.##}");

    private static string Html(string s) => WebUtility.HtmlEncode(s);

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
