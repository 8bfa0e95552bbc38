using DiffPlex;
using DiffPlex.Chunkers;
using DiffPlex.Renderer;

namespace XsFuzz.Harness.Reporting;

/// <summary>Unified diff of two state snapshots (DiffPlex), and its value-free shape for signatures.</summary>
public static class SnapshotDiff
{
    /// <summary>A unified diff, A as "---", B as "+++". It is ordered: a moved or repeated line shows.</summary>
    public static string Unified(string snapshotA, string snapshotB) =>
        new UnidiffRenderer(contextLines: 2).Generate(Normalize(snapshotA), Normalize(snapshotB),
            "A", "B", ignoreWhitespace: false, ignoreCase: false);

    private static string Normalize(string text) => text.EndsWith('\n') ? text : text + "\n";

    /// <summary>
    /// The snapshot sections that differ, sorted, e.g. "[quota, watch]": the leading word of every line
    /// found on one side only. A section whose lines are all on both sides but that the ordered diff still
    /// changes is named with what differs: "queued (order)" when each line is there as often on both
    /// sides, "queued (repeats)" when a line is there more often on one side. Values, paths and numbers
    /// stay out, so equal bugs give equal shapes; different snapshots never give "[]".
    /// </summary>
    public static string Shape(string snapshotA, string snapshotB)
    {
        var countsA = Counts(snapshotA);
        var countsB = Counts(snapshotB);
        var sections = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in countsA.Keys.Where(l => !countsB.ContainsKey(l))) sections.Add(SectionOf(line));
        foreach (var line in countsB.Keys.Where(l => !countsA.ContainsKey(l))) sections.Add(SectionOf(line));
        if (snapshotA == snapshotB) return Format(sections);
        var moved = new SortedSet<string>(StringComparer.Ordinal);
        var diff = Differ.Instance.CreateDiffs(Normalize(snapshotA), Normalize(snapshotB), ignoreWhiteSpace: false,
            ignoreCase: false, new LineChunker());
        foreach (var block in diff.DiffBlocks)
        {
            var lines = diff.PiecesOld.Skip(block.DeleteStartA).Take(block.DeleteCountA)
                .Concat(diff.PiecesNew.Skip(block.InsertStartB).Take(block.InsertCountB));
            foreach (var line in lines)
            {
                var section = SectionOf(line);
                if (sections.Contains(section)) continue;
                var repeats = countsA.GetValueOrDefault(line) != countsB.GetValueOrDefault(line);
                moved.Add(section + (repeats ? " (repeats)" : " (order)"));
            }
        }
        sections.UnionWith(moved);
        // Never empty for different texts: say so rather than print a shape that hides it.
        if (sections.Count == 0) sections.Add("(other)");
        return Format(sections);
    }

    private static string Format(SortedSet<string> sections) => "[" + string.Join(", ", sections) + "]";

    private static Dictionary<string, int> Counts(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in Normalize(text).Split('\n')[..^1]) counts[line] = counts.GetValueOrDefault(line) + 1;
        return counts;
    }

    /// <summary>The line's first word without digits (so "tx3" and "tx4" are one section).</summary>
    internal static string SectionOf(string line)
    {
        var trimmed = line.AsSpan().TrimStart();
        var end = 0;
        while (end < trimmed.Length && (char.IsAsciiLetter(trimmed[end]) || trimmed[end] is '-' or '_')) end++;
        return end == 0 ? "(other)" : trimmed[..end].ToString();
    }
}
