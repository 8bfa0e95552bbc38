namespace XsFuzz.Triage.Campaigns;

/// <summary>
/// The settings a fuzz.sh campaign records in its output folder (<c>.xsfuzz-campaign</c>, key=value
/// lines: fault, config, empty, timeout_ms, started, resumed, and target once campaigns on other targets
/// than the model exist). A crash file is found to belong to a campaign by looking for the marker in its
/// folder and the folders above, as far as FINDINGS/triage/N-slug/minimal.bin is from FINDINGS.
/// </summary>
public sealed class CampaignMarker
{
    public const string FileName = ".xsfuzz-campaign";

    /// <summary>The folder of a file itself, then this many parents (FINDINGS/WORKER/crashes/FILE).</summary>
    private const int ParentsSearched = 3;

    private readonly Dictionary<string, string> _values;

    private CampaignMarker(string directory, Dictionary<string, string> values)
    {
        Directory = directory;
        _values = values;
    }

    /// <summary>The campaign's output folder (where the marker is).</summary>
    public string Directory { get; }

    /// <summary>The planted fault's name, "" for none.</summary>
    public string Fault => _values.GetValueOrDefault("fault", "");

    /// <summary>
    /// The pinned daemon configuration (fuzz.sh --config: a variant's name or an oxenstored.conf file's
    /// absolute path), "" when each input chose its own (campaigns before the key existed did).
    /// </summary>
    public string Config => _values.GetValueOrDefault("config", "");

    /// <summary>What was fuzzed; campaigns that do not say fuzzed the model pair.</summary>
    public string Target => _values.GetValueOrDefault("target", "") is { Length: > 0 } t ? t : Targets.Model;

    public string? Started => _values.GetValueOrDefault("started");

    public string MarkerPath => Path.Combine(Directory, FileName);

    /// <summary>The marker of the campaign that a file or folder is in, or null.</summary>
    /// <exception cref="CampaignException">The marker exists but cannot be read.</exception>
    public static CampaignMarker? Find(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = System.IO.Directory.Exists(full) ? full : Path.GetDirectoryName(full);
        for (var i = 0; i <= ParentsSearched && directory is not null; i++)
        {
            if (File.Exists(Path.Combine(directory, FileName))) return Load(directory);
            directory = Path.GetDirectoryName(directory);
        }
        return null;
    }

    /// <exception cref="CampaignException">Unreadable or malformed.</exception>
    public static CampaignMarker Load(string directory)
    {
        var file = Path.Combine(directory, FileName);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CampaignException($"cannot read {file}: {e.Message}");
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new CampaignException($"{file}:{n + 1}: not a key=value line: {line}");
            // The last value wins, as with fuzz.sh's awk reader; "resumed" lines repeat.
            values[line[..eq]] = line[(eq + 1)..];
        }
        return new CampaignMarker(Path.GetFullPath(directory), values);
    }
}

/// <summary>A campaign marker that cannot be used, or settings that contradict it: a one-line message.</summary>
public sealed class CampaignException(string message) : Exception(message);

/// <summary>The names of what a campaign can fuzz.</summary>
public static class Targets
{
    /// <summary>Two instances of the model, one live-updated (the only target of fuzz.sh today).</summary>
    public const string Model = "model";
}
