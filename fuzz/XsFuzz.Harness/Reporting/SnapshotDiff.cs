using DiffPlex.Renderer;

namespace XsFuzz.Harness.Reporting;

/// <summary>Unified diff of two state snapshots (DiffPlex), and its value-free shape for signatures.</summary>
public static class SnapshotDiff
{
    /// <summary>A unified diff, A as "---", B as "+++".</summary>
    public static string Unified(string snapshotA, string snapshotB) =>
        new UnidiffRenderer(contextLines: 2).Generate(Normalize(snapshotA), Normalize(snapshotB),
            "A", "B", ignoreWhitespace: false, ignoreCase: false);

    private static string Normalize(string text) => text.EndsWith('\n') ? text : text + "\n";

    /// <summary>
    /// The snapshot sections that differ, e.g. "[quota, watch]": the leading word of every changed line,
    /// sorted. Values, paths and numbers stay out, so equal bugs give equal shapes.
    /// </summary>
    public static string Shape(string snapshotA, string snapshotB)
    {
        var linesA = new HashSet<string>(Lines(snapshotA), StringComparer.Ordinal);
        var linesB = new HashSet<string>(Lines(snapshotB), StringComparer.Ordinal);
        var sections = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in linesA)
        {
            if (!linesB.Contains(line)) sections.Add(SectionOf(line));
        }
        foreach (var line in linesB)
        {
            if (!linesA.Contains(line)) sections.Add(SectionOf(line));
        }
        return "[" + string.Join(", ", sections) + "]";
    }

    private static string[] Lines(string text) => text.Split('\n');

    /// <summary>The line's first word without digits (so "tx3" and "tx4" are one section).</summary>
    internal static string SectionOf(string line)
    {
        var trimmed = line.AsSpan().TrimStart();
        var end = 0;
        while (end < trimmed.Length && (char.IsAsciiLetter(trimmed[end]) || trimmed[end] is '-' or '_')) end++;
        return end == 0 ? "(other)" : trimmed[..end].ToString();
    }
}
