using System.Globalization;

namespace XsFuzz.Xenstore;

/// <summary>
/// Reads an oxenstored.conf (<c>key = value</c> lines, <c>#</c> comments, blank lines) into a
/// configuration, starting from Debian's, and writes one back (what the real oxenstored is given).
/// Only the keys the model implements are accepted: a key it does not know would be silently ignored,
/// so a user could believe it took effect. Errors are one line each (<see cref="FormatException"/>
/// with the line number).
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
            var setting = Find(key) ?? throw new FormatException($"line {i + 1}: unknown key '{key}' (the model knows: {string.Join(", ", Keys)})");
            config = setting.Set(config, value, i + 1);
        }
        return config;
    }

    /// <summary>Every key <see cref="Parse"/> accepts, one <c>key = value</c> line each, in <see cref="Keys"/> order.</summary>
    public static string Render(XenstoredConfig config) =>
        string.Concat(Settings.Select(s => $"{s.Key} = {s.Get(config)}\n"));

    /// <summary>The <c>key = value</c> settings in which <paramref name="config"/> differs from <paramref name="from"/>.</summary>
    public static IReadOnlyList<string> Differences(XenstoredConfig config, XenstoredConfig from) =>
        [.. Settings.Where(s => s.Get(config) != s.Get(from)).Select(s => $"{s.Key} = {s.Get(config)}")];

    /// <summary>One key: how it reads a value into a configuration, and how it shows a configuration's.</summary>
    private sealed record Setting(string Key, Func<XenstoredConfig, string> Get, Func<XenstoredConfig, string, int, XenstoredConfig> Set);

    // The one table of keys: Parse, Render and Differences all go through it (declared before Keys,
    // which is initialised from it).
    private static readonly Setting[] Settings =
    [
        Flag("quota-activate", c => c.QuotaActivate, (c, v) => c with { QuotaActivate = v }),
        Number("quota-maxentity", c => c.MaxEntity, (c, v) => c with { MaxEntity = v }),
        Size("quota-maxsize", c => c.MaxSize, (c, v) => c with { MaxSize = v }),
        Number("quota-maxwatch", c => c.MaxWatch, (c, v) => c with { MaxWatch = v }),
        Number("quota-transaction", c => c.MaxTransaction, (c, v) => c with { MaxTransaction = v }),
        Number("quota-maxrequests", c => c.MaxRequests, (c, v) => c with { MaxRequests = v }),
        Size("quota-path-max", c => c.PathMax, (c, v) => c with { PathMax = v }),
        Size("quota-maxoutstanding", c => c.MaxOutstanding, (c, v) => c with { MaxOutstanding = v }),
        Size("quota-maxwatchevents", c => c.MaxWatchEvents, (c, v) => c with { MaxWatchEvents = v }),
        Flag("perms-activate", c => c.PermsActivate, (c, v) => c with { PermsActivate = v }),
        Flag("perms-watch-activate", c => c.PermsWatchActivate, (c, v) => c with { PermsWatchActivate = v }),
        Flag("merge-activate", c => c.MergeActivate, (c, v) => c with { MergeActivate = v }),
        Flag("allow-debug", c => c.AllowDebug, (c, v) => c with { AllowDebug = v }),
    ];

    /// <summary>The keys <see cref="Parse"/> accepts.</summary>
    public static IReadOnlyList<string> Keys { get; } = [.. Settings.Select(s => s.Key)];

    private static Setting? Find(string key)
    {
        foreach (var setting in Settings)
        {
            if (setting.Key == key) return setting;
        }
        return null;
    }

    private static Setting Flag(string key, Func<XenstoredConfig, bool> get, Func<XenstoredConfig, bool, XenstoredConfig> set) =>
        new(key, c => get(c) ? "true" : "false", (c, value, line) => set(c, Bool(key, value, line)));

    private static Setting Number(string key, Func<XenstoredConfig, int> get, Func<XenstoredConfig, int, XenstoredConfig> set) =>
        new(key, c => get(c).ToString(CultureInfo.InvariantCulture), (c, value, line) => set(c, Int(key, value, line)));

    private static Setting Size(string key, Func<XenstoredConfig, int> get, Func<XenstoredConfig, int, XenstoredConfig> set) =>
        new(key, c => get(c).ToString(CultureInfo.InvariantCulture), (c, value, line) => set(c, Positive(key, value, line)));

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
