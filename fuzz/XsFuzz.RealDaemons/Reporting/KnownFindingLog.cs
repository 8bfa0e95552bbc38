using System.Globalization;
using System.Text;

namespace XsFuzz.RealDaemons.Reporting;

/// <summary>
/// What a coverage-guided campaign (`xsfuzz afl --daemon`) met of the allow-list. An allow-listed
/// difference is no AFL crash, so without this log AFL keeps no trace of it. One folder per entry,
/// DIR/NNN-SLUG (NNN: the entry's place in the allow-list, SLUG: its pattern in short), made the first
/// time the entry matches: <c>input</c> (the input as AFL gave it: it replays with `xsfuzz afl --daemon`
/// or `xsfuzz real lu`) and <c>first</c> (seconds since the campaign's start, the entry, the
/// signature); <c>count</c> is rewritten at every match (runs, AFL's calibration runs included).
/// One log per worker: fuzz.sh gives each afl-fuzz worker a folder of its own. A restarted target
/// continues the counts and keeps the first input it finds there.
/// </summary>
public sealed class KnownFindingLog
{
    /// <summary>The folder of the log; unset: no log (fuzz.sh sets it per worker).</summary>
    public const string DirVariable = "XSFUZZ_KNOWN_DIR";

    /// <summary>The campaign's start in Unix seconds (the zero of "first seen"); unset: the log's creation.</summary>
    public const string StartVariable = "XSFUZZ_KNOWN_START";

    private const int SlugLength = 48;

    private readonly string _dir;
    private readonly IReadOnlyList<KnownDifference> _entries;
    private readonly DateTimeOffset _start;
    private readonly Func<DateTimeOffset> _now;
    private readonly Dictionary<KnownDifference, long> _counts = new(ReferenceEqualityComparer.Instance);

    public KnownFindingLog(string dir, KnownDifferences known, DateTimeOffset start, Func<DateTimeOffset>? now = null)
    {
        _dir = dir;
        _entries = known.Entries;
        _start = start;
        _now = now ?? (() => DateTimeOffset.UtcNow);
        Directory.CreateDirectory(dir);
    }

    /// <summary>The log the environment asks for (<see cref="DirVariable"/>), or null.</summary>
    /// <exception cref="FormatException"><see cref="StartVariable"/> is not a number of seconds.</exception>
    public static KnownFindingLog? FromEnvironment(KnownDifferences known)
    {
        if (Environment.GetEnvironmentVariable(DirVariable) is not { Length: > 0 } dir) return null;
        return new KnownFindingLog(dir, known, StartFromEnvironment());
    }

    /// <summary>The campaign's start (<see cref="StartVariable"/>), or now when it is unset.</summary>
    /// <exception cref="FormatException"><see cref="StartVariable"/> is not a number of seconds.</exception>
    internal static DateTimeOffset StartFromEnvironment()
    {
        if (Environment.GetEnvironmentVariable(StartVariable) is not { Length: > 0 } given) return DateTimeOffset.UtcNow;
        if (!double.TryParse(given, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            throw new FormatException($"{StartVariable} must be Unix seconds, not '{given}'");
        return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
    }

    /// <summary>The folder name of an entry: its 1-based place in the allow-list and its pattern in short.</summary>
    public string FolderName(KnownDifference entry)
    {
        var index = -1;
        for (var i = 0; i < _entries.Count; i++)
        {
            if (ReferenceEquals(_entries[i], entry)) index = i;
        }
        if (index < 0) throw new ArgumentException("not an entry of this allow-list", nameof(entry));
        return (index + 1).ToString("D3", CultureInfo.InvariantCulture) + "-" + Slug(entry.Pattern);
    }

    /// <summary>Counts a match of <paramref name="entry"/>; the first one (in this folder) also keeps the input.</summary>
    public void Record(KnownDifference entry, string signature, ReadOnlySpan<byte> input)
    {
        var folder = Path.Combine(_dir, FolderName(entry));
        if (!_counts.TryGetValue(entry, out var count))
        {
            count = ReadCount(folder);
            if (!Directory.Exists(folder)) WriteFirst(folder, entry, signature, input);
        }
        count++;
        _counts[entry] = count;
        WriteAtomically(Path.Combine(folder, "count"), Encoding.ASCII.GetBytes(count.ToString(CultureInfo.InvariantCulture) + "\n"));
    }

    /// <summary>Made in a side folder and renamed: a reader never sees a first find without its input.</summary>
    private void WriteFirst(string folder, KnownDifference entry, string signature, ReadOnlySpan<byte> input)
    {
        var seconds = (_now() - _start).TotalSeconds;
        var side = folder + ".new";
        if (Directory.Exists(side)) Directory.Delete(side, recursive: true);
        Directory.CreateDirectory(side);
        File.WriteAllBytes(Path.Combine(side, "input"), input.ToArray());
        File.WriteAllText(Path.Combine(side, "first"), string.Create(CultureInfo.InvariantCulture,
            $"seconds={seconds:F1}\nentry=[{entry.Mode} {entry.Daemon}] {entry.Pattern}\nsignature={signature}\n"));
        Directory.Move(side, folder);
    }

    private static long ReadCount(string folder)
    {
        var path = Path.Combine(folder, "count");
        return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var side = path + ".new";
        File.WriteAllBytes(side, bytes);
        File.Move(side, path, overwrite: true);
    }

    /// <summary>Letters and digits of the pattern, every other run of characters one '-', at most <see cref="SlugLength"/>.</summary>
    private static string Slug(string pattern)
    {
        var text = new StringBuilder();
        foreach (var c in pattern.StartsWith("re:", StringComparison.Ordinal) ? pattern[3..] : pattern)
        {
            if (text.Length >= SlugLength) break;
            if (char.IsAsciiLetterOrDigit(c)) text.Append(c);
            else if (text.Length > 0 && text[^1] != '-') text.Append('-');
        }
        return text.ToString().TrimEnd('-');
    }
}
