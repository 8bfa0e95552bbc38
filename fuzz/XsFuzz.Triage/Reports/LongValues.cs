using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace XsFuzz.Triage.Reports;

/// <summary>
/// Shortens long values in report text so that the scenario stays readable: a quoted string or a bare
/// word longer than <see cref="Longest"/> printed characters keeps its first <see cref="Kept"/> and says
/// how many bytes it had, e.g. <c>"\xde\xde\xde"...(2000 bytes)</c>. The reproduce section (base64 and
/// the command line) is never touched, so the elided report still reproduces the whole input.
/// </summary>
public static partial class LongValues
{
    public const int Longest = 64;
    public const int Kept = 24;

    /// <summary>Marks the sections that are left whole (the harness's and the real reports' headings).</summary>
    private const string ReproduceHeading = "--- reproduce ---";

    public static string Elide(string report)
    {
        var text = new StringBuilder(report.Length);
        var whole = false;
        foreach (var line in report.Split('\n'))
        {
            if (text.Length > 0) text.Append('\n');
            if (line.StartsWith("--- ", StringComparison.Ordinal) && line.EndsWith(" ---", StringComparison.Ordinal)) whole = line == ReproduceHeading;
            else if (line.StartsWith("=== ", StringComparison.Ordinal)) whole = false;
            text.Append(whole || line.Length <= Longest ? line : ElideLine(line));
        }
        return text.ToString();
    }

    /// <summary>Whether eliding changes anything (the report then says how to see everything).</summary>
    public static bool Changes(string report) => Elide(report) != report;

    private static string ElideLine(string line) => Token().Replace(line, m =>
    {
        var quoted = m.Value[0] == '"';
        var body = quoted ? m.Value[1..^1] : m.Value;
        if (body.Length <= Longest) return m.Value;
        var bytes = quoted ? EscapedLength(body) : body.Length;
        var kept = quoted ? KeepWholeEscapes(body, Kept) : body[..Kept];
        return (quoted ? "\"" + kept + "\"" : kept) + string.Create(CultureInfo.InvariantCulture, $"...({bytes} bytes)");
    });

    /// <summary>Bytes a quoted body stands for: \xNN, \" and \\ are one byte each.</summary>
    private static int EscapedLength(string body)
    {
        var n = 0;
        for (var i = 0; i < body.Length; i++, n++)
        {
            if (body[i] != '\\' || i + 1 >= body.Length) continue;
            i += body[i + 1] == 'x' ? 3 : 1;
        }
        return n;
    }

    /// <summary>About <paramref name="count"/> printed characters, never cutting an escape in two.</summary>
    private static string KeepWholeEscapes(string body, int count)
    {
        var i = 0;
        while (i < body.Length && i < count)
            i += body[i] != '\\' || i + 1 >= body.Length ? 1 : body[i + 1] == 'x' ? 4 : 2;
        return body[..Math.Min(i, body.Length)];
    }

    /// <summary>A quoted string with Latin1.Quote's escapes, or a bare word of ScenarioText's characters.</summary>
    [GeneratedRegex("""
        "(?:[^"\\]|\\.)*"|[A-Za-z0-9_@/.+\-]+
        """)]
    private static partial Regex Token();
}
