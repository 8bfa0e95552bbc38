using System.Globalization;
using System.Text.RegularExpressions;

namespace XsFuzz.Triage.Findings;

/// <summary>Where AFL (or fuzz.sh) put an input: a worker's crashes/ or hangs/, or fuzz.sh's seed-crashes/.</summary>
public enum FindingKind
{
    Crash,
    Hang,
    /// <summary>A seed that already disagreed under the campaign's fault (fuzz.sh set it aside).</summary>
    SeedCrash,
    /// <summary>Any other file given (a folder of inputs that is not an AFL output).</summary>
    Input,
}

/// <summary>One saved input of a findings folder, with when and by whom it was found when AFL says so.</summary>
public sealed partial record FindingFile(string Path, FindingKind Kind, string? Worker, TimeSpan? FoundAfter, byte[] Bytes)
{
    /// <summary>AFL++'s file names carry the milliseconds since the worker started: id:000003,sig:06,...,time:81234,...</summary>
    public static TimeSpan? TimeInName(string fileName)
    {
        var m = AflTime().Match(fileName);
        return m.Success && long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : null;
    }

    /// <summary>"main +1m23s", "main", or the kind when nothing is known.</summary>
    public string FoundText
    {
        get
        {
            var who = Worker ?? (Kind == FindingKind.SeedCrash ? "seed" : "-");
            return FoundAfter is { } t ? who + " +" + Duration(t) : who;
        }
    }

    public static string Duration(TimeSpan t) =>
        t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:D2}m")
        : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m{t.Seconds:D2}s")
        : string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:F1}s");

    [GeneratedRegex(@"(?:^|,)time:(\d+)(?:,|$)")]
    private static partial Regex AflTime();
}
