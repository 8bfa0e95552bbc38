using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XsFuzz.TestSupport.Conformance;

/// <summary>
/// Compares the model's output records with the real daemon's recorded ones as JSON values (so
/// key order and escaping do not matter) and describes the first difference with some context.
/// </summary>
public static class OutputComparison
{
    private const int ContextBefore = 4;
    private const int ContextAfter = 2;

    private static readonly JsonSerializerOptions Compact = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Parses a recorded .oxenstored.out.jsonl file (one object per non-blank line).</summary>
    public static List<JsonNode> ReadRecorded(string path) =>
        File.ReadLines(path)
            .Where(line => line.Trim().Length > 0)
            .Select(line => JsonNode.Parse(line) ?? throw new FormatException($"{path}: null line"))
            .ToList();

    /// <summary>Null when both lists are equal, otherwise a readable report of the first difference.</summary>
    public static string? FirstDifference(IReadOnlyList<JsonNode> expected, IReadOnlyList<JsonNode> actual)
    {
        var common = Math.Min(expected.Count, actual.Count);
        var at = 0;
        while (at < common && JsonNode.DeepEquals(KnownDifferences.Normalize(expected[at]), KnownDifferences.Normalize(actual[at]))) at++;
        if (at == expected.Count && at == actual.Count) return null;

        var report = new StringBuilder();
        report.AppendLine($"output line {at + 1} differs (oxenstored printed {expected.Count} lines, the model {actual.Count})");
        report.AppendLine(at < expected.Count ? $"  oxenstored: {Show(expected[at])}" : "  oxenstored: (no more output)");
        report.AppendLine(at < actual.Count ? $"  model:      {Show(actual[at])}" : "  model:      (no more output)");
        if (at > 0)
        {
            report.AppendLine("same before that:");
            for (var i = Math.Max(0, at - ContextBefore); i < at; i++) report.AppendLine($"  {Show(expected[i])}");
        }
        var after = Math.Min(expected.Count, at + 1 + ContextAfter);
        if (at + 1 < after)
        {
            report.AppendLine("oxenstored went on with:");
            for (var i = at + 1; i < after; i++) report.AppendLine($"  {Show(expected[i])}");
        }
        return report.ToString();
    }

    private static string Show(JsonNode node)
    {
        var text = node.ToJsonString(Compact);
        return text.Length <= 400 ? text : text[..400] + $"... ({text.Length} chars)";
    }
}
