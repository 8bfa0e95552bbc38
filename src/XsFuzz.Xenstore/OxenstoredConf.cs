using System.Globalization;

namespace XsFuzz.Xenstore;

/// <summary>
/// Reads an oxenstored.conf (<c>key = value</c> lines, <c>#</c> comments, blank lines) into a
/// configuration, starting from Debian's. Only the keys the model implements are accepted: a key it
/// does not know would be silently ignored, so a user could believe it took effect. Errors are one
/// line each (<see cref="FormatException"/> with the line number).
/// </summary>
public static class OxenstoredConf
{
    /// <exception cref="FormatException">A line that is not <c>key = value</c>, an unknown key, or a bad value.</exception>
    public static XenstoredConfig Parse(string text)
    {
        var config = XenstoredConfig.Debian;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash];
            line = line.Trim();
            if (line.Length == 0) continue;
            var eq = line.IndexOf('=');
            if (eq <= 0) throw new FormatException($"line {i + 1}: expected 'key = value', got '{line}'");
            var key = line[..eq].Trim();
            var value = line[(eq + 1)..].Trim();
            config = Set(config, key, value, i + 1);
        }
        return config;
    }

    /// <summary>The keys <see cref="Parse"/> accepts.</summary>
    public static IReadOnlyList<string> Keys { get; } =
    [
        "quota-activate", "quota-maxentity", "quota-maxsize", "quota-maxwatch", "quota-transaction", "quota-maxrequests",
        "quota-path-max", "quota-maxoutstanding", "quota-maxwatchevents", "perms-activate", "perms-watch-activate",
        "merge-activate", "allow-debug",
    ];

    private static XenstoredConfig Set(XenstoredConfig c, string key, string value, int line) => key switch
    {
        "quota-activate" => c with { QuotaActivate = Bool(key, value, line) },
        "quota-maxentity" => c with { MaxEntity = Int(key, value, line) },
        "quota-maxsize" => c with { MaxSize = Positive(key, value, line) },
        "quota-maxwatch" => c with { MaxWatch = Int(key, value, line) },
        "quota-transaction" => c with { MaxTransaction = Int(key, value, line) },
        "quota-maxrequests" => c with { MaxRequests = Int(key, value, line) },
        "quota-path-max" => c with { PathMax = Positive(key, value, line) },
        "quota-maxoutstanding" => c with { MaxOutstanding = Positive(key, value, line) },
        "quota-maxwatchevents" => c with { MaxWatchEvents = Positive(key, value, line) },
        "perms-activate" => c with { PermsActivate = Bool(key, value, line) },
        "perms-watch-activate" => c with { PermsWatchActivate = Bool(key, value, line) },
        "merge-activate" => c with { MergeActivate = Bool(key, value, line) },
        "allow-debug" => c with { AllowDebug = Bool(key, value, line) },
        _ => throw new FormatException($"line {line}: unknown key '{key}' (the model knows: {string.Join(", ", Keys)})"),
    };

    private static bool Bool(string key, string value, int line) => value switch
    {
        "true" => true,
        "false" => false,
        _ => throw new FormatException($"line {line}: {key} must be true or false, got '{value}'"),
    };

    private static int Int(string key, string value, int line) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"line {line}: {key} must be an integer, got '{value}'");

    // Sizes the model divides or allocates by: zero or less is not a configuration a host can run.
    private static int Positive(string key, string value, int line)
    {
        var n = Int(key, value, line);
        return n > 0 ? n : throw new FormatException($"line {line}: {key} must be at least 1, got '{value}'");
    }
}
