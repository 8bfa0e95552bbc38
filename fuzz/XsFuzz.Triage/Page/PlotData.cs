using System.Globalization;

namespace XsFuzz.Triage.Page;

/// <summary>One sample of a worker's progress: seconds since it started, and the running totals.</summary>
public readonly record struct PlotPoint(double Seconds, double Execs, double Paths, double Crashes);

/// <summary>
/// A worker's plot_data, which AFL++ appends to every few seconds. Columns are found by the header's
/// names (AFL++ 4: relative_time, corpus_count, saved_crashes, total_execs; older: unix_time,
/// paths_total, unique_crashes), so a renamed column is missing rather than misread.
/// </summary>
public static class PlotData
{
    public static IReadOnlyList<PlotPoint> Read(string file)
    {
        string[] lines;
        try { lines = File.ReadAllLines(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
        var header = lines.FirstOrDefault(l => l.StartsWith('#'));
        if (header is null) return [];
        var names = header.TrimStart('#').Split(',').Select(n => n.Trim()).ToList();
        int Column(params string[] candidates) => candidates.Select(c => names.IndexOf(c)).FirstOrDefault(i => i >= 0, -1);
        var time = Column("relative_time", "unix_time");
        var execs = Column("total_execs");
        var paths = Column("corpus_count", "paths_total");
        var crashes = Column("saved_crashes", "unique_crashes");
        if (time < 0) return [];
        var points = new List<PlotPoint>();
        double? start = null;
        foreach (var line in lines)
        {
            if (line.StartsWith('#') || line.Length == 0) continue;
            var cells = line.Split(',');
            double Cell(int i) => i >= 0 && i < cells.Length && double.TryParse(cells[i].Trim().TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
            var t = Cell(time);
            if (double.IsNaN(t)) continue;
            start ??= names[time] == "unix_time" ? t : 0;
            points.Add(new PlotPoint(t - start.Value, Cell(execs), Cell(paths), Cell(crashes)));
        }
        return points;
    }
}
