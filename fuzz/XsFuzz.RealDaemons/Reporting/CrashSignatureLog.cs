using System.Globalization;
using System.Text;

namespace XsFuzz.RealDaemons.Reporting;

/// <summary>
/// What each AFL crash of a coverage-guided daemon campaign (`xsfuzz afl --daemon`) was, as the target
/// saw it. afl-fuzz keeps a crash's input but not the target's message, and a difference that depends on
/// timing often does not come back when fuzz.sh's triage replays the input on fresh daemons: without
/// this log such a crash could not be classified at all. One line per crashing run, tab-separated:
/// seconds since the campaign's start, the signature, and, the first time this process meets the
/// signature, its replay line (later lines leave it empty, so a frequent crash does not fill the disk).
/// One log per worker: fuzz.sh gives each afl-fuzz worker a file of its own (xs_crash_signature_table
/// reads them all).
/// </summary>
public sealed class CrashSignatureLog
{
    /// <summary>The log's file; unset: no log (fuzz.sh sets it per worker).</summary>
    public const string PathVariable = "XSFUZZ_CRASH_LOG";

    private readonly string _path;
    private readonly DateTimeOffset _start;
    private readonly Func<DateTimeOffset> _now;
    private readonly HashSet<string> _replayed = new(StringComparer.Ordinal);
    private static readonly UTF8Encoding NoMark = new(encoderShouldEmitUTF8Identifier: false);

    public CrashSignatureLog(string path, DateTimeOffset start, Func<DateTimeOffset>? now = null)
    {
        _path = path;
        _start = start;
        _now = now ?? (() => DateTimeOffset.UtcNow);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
    }

    /// <summary>The log the environment asks for (<see cref="PathVariable"/>), timed like the <see cref="KnownFindingLog"/>, or null.</summary>
    /// <exception cref="FormatException">The campaign's start is not a number of seconds.</exception>
    public static CrashSignatureLog? FromEnvironment() =>
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path
            ? new CrashSignatureLog(path, KnownFindingLog.StartFromEnvironment())
            : null;

    /// <summary>
    /// Appends one crashing run; <paramref name="replay"/> is written only with the signature's first line.
    /// A log that cannot be written is said on stderr and the run goes on: the finding itself must still
    /// reach AFL as a crash.
    /// </summary>
    public void Record(string signature, string replay)
    {
        var one = OneField(signature);
        var seconds = (_now() - _start).TotalSeconds;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{seconds:F1}\t{one}\t{(_replayed.Add(one) ? OneField(replay) : "")}\n");
        try
        {
            File.AppendAllText(_path, line, NoMark);   // Encoding.UTF8 would start a new file with a byte-order mark, which awk reads as part of the first field
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"xsfuzz afl: cannot write the crash log {_path}: {e.Message}");
        }
    }

    /// <summary>The first line of a text, without tabs: one field of the log.</summary>
    private static string OneField(string text)
    {
        var end = text.IndexOf('\n');
        return (end < 0 ? text : text[..end]).Replace('\t', ' ');
    }
}
