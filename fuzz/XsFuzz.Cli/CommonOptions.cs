using System.CommandLine;
using System.Globalization;
using XsFuzz.Harness;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Cli;

/// <summary>Options shared by several commands, and their validation (errors become exit code 2).</summary>
internal static class CommonOptions
{
    public static Option<string?> Fault() => new("--fault")
    {
        Description = "switch on a planted live-update bug (see 'xsfuzz faults')",
        HelpName = "NAME",
    };

    public static Option<int?> MaxCommands() => new("--max-commands")
    {
        Description = $"decode at most M commands per input (default {HarnessOptions.Default.MaxCommands})",
        HelpName = "M",
    };

    public static Option<string?> Config() => new("--config")
    {
        Description = $"run with this daemon configuration only: a variant ({string.Join(", ", ConfigVariants.All.Select(c => c.Name))}) "
            + "or an oxenstored.conf file; by default each input chooses among the variants",
        HelpName = "NAME|FILE",
    };

    /// <summary>A variant's name, or an oxenstored.conf file (named by its path); null: none given.</summary>
    public static NamedConfig? ParseConfig(string? nameOrFile)
    {
        if (nameOrFile is null) return null;
        if (ConfigVariants.Find(nameOrFile) is { } variant) return variant;
        if (!File.Exists(nameOrFile))
            throw new UsageException($"--config '{nameOrFile}' is neither a configuration ({string.Join(", ", ConfigVariants.All.Select(c => c.Name))}) nor a file");
        string text;
        try
        {
            text = File.ReadAllText(nameOrFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read --config '{nameOrFile}': {e.Message}");
        }
        try
        {
            // Named by its path as given (never a variant's name, those were matched above), so that the
            // report's replay line and scenario text name a file that replays it.
            return new NamedConfig(nameOrFile, OxenstoredConf.Parse(text));
        }
        catch (FormatException e)
        {
            throw new UsageException($"--config '{nameOrFile}': {e.Message}");
        }
    }

    public static LiveUpdateFault ParseFault(string? name)
    {
        if (name is null) return LiveUpdateFault.None;
        if (FaultCatalog.TryParse(name, out var fault)) return fault;
        throw new UsageException($"unknown fault '{name}'; known: {string.Join(", ", FaultCatalog.All.Select(FaultCatalog.NameOf))}");
    }

    public static HarnessOptions Harness(int? maxCommands, string? config = null)
    {
        var options = ParseConfig(config) is { } pinned ? HarnessOptions.Default.Pinned(pinned) : HarnessOptions.Default;
        if (maxCommands is null) return options;
        if (maxCommands < 1 || maxCommands > 10_000) throw new UsageException("--max-commands must be between 1 and 10000");
        return options with { MaxCommands = maxCommands.Value };
    }

    /// <summary>
    /// The largest input read (a file, --base64, scenario text): AFL's own limit on a test case (1 MiB).
    /// The decoder stops long before; the cap keeps `replay /dev/zero` from reading forever.
    /// </summary>
    public const int MaxInputBytes = 1 << 20;

    /// <summary>An input file's bytes: missing, unreadable, a directory, empty or over the cap are usage errors.</summary>
    public static byte[] ReadInput(string path)
    {
        if (Directory.Exists(path)) throw new UsageException($"'{path}' is a directory, not an input file (give its files, e.g. '{Path.Combine(path, "*")}')");
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
            var buffer = new byte[MaxInputBytes + 1];
            var length = 0;
            int read;
            // Reads until the end or one byte past the cap: devices and pipes have no length to ask for.
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0) length += read;
            if (length > MaxInputBytes) throw new UsageException($"'{path}' is larger than the input cap of {MaxInputBytes} bytes (1 MiB, AFL's limit)");
            if (length == 0) throw new UsageException($"'{path}' is empty");
            return buffer[..length];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read '{path}': {e.Message}");
        }
    }

    public static byte[] ReadBase64(string text)
    {
        if (text.Length > (MaxInputBytes + 2) / 3 * 4 + 2)
            throw new UsageException($"--base64: longer than the input cap of {MaxInputBytes} bytes (1 MiB, AFL's limit)");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new UsageException("--base64: not valid base64");
        }
        if (bytes.Length == 0) throw new UsageException("--base64: the input is empty");
        if (bytes.Length > MaxInputBytes) throw new UsageException($"--base64: larger than the input cap of {MaxInputBytes} bytes (1 MiB, AFL's limit)");
        return bytes;
    }

    /// <summary>The longest --time: a year (TimeSpan itself overflows near 29,000 years).</summary>
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(365);

    /// <summary>"90", "90s", "5m", "1.5h", "2d" as a time span, at most a year.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var unit = text.Length > 0 ? text[^1] : ' ';
        var scale = unit switch { 's' => 1.0, 'm' => 60.0, 'h' => 3600.0, 'd' => 86400.0, _ => 0.0 };
        var number = scale == 0.0 ? text : text[..^1];
        if (scale == 0.0) scale = 1.0;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw new UsageException($"bad duration '{text}' (examples: 90, 90s, 5m, 1.5h, 2d)");
        if (value * scale > MaxDuration.TotalSeconds)
            throw new UsageException($"duration '{text}' is too long: at most 365 days (365d)");
        return TimeSpan.FromSeconds(value * scale);
    }

    public static Option<bool> Force() => new("--force")
    {
        Description = "replace output files that exist (never through a symbolic link)",
    };

    /// <summary>
    /// Refuses an output path that would lose work: a symbolic link (never written through, even with
    /// --force), a directory, or an existing file without --force. Commands call it before their work,
    /// and <see cref="WriteOutput"/> calls it again at the end.
    /// </summary>
    public static void CheckOutput(string path, bool force)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException("the output path is empty");
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) throw new UsageException($"'{path}' is a symbolic link: not written through it (remove it, or choose another output)");
        if (Directory.Exists(path)) throw new UsageException($"'{path}' is a directory, not an output file");
        if (info.Exists && !force) throw new UsageException($"'{path}' exists: add --force to replace it");
    }

    /// <summary>
    /// Writes an output file without losing work (see <see cref="CheckOutput"/>): the bytes go to a new
    /// temporary file beside it, which is then renamed over the path, so a reader never sees half a
    /// file and a symbolic link put there meanwhile is replaced, not followed.
    /// </summary>
    public static void WriteOutput(string path, byte[] bytes, bool force)
    {
        CheckOutput(path, force);
        var temporary = "";
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            Directory.CreateDirectory(directory);
            temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                stream.Write(bytes);
            File.Move(temporary, path, overwrite: force);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            if (temporary.Length > 0) File.Delete(temporary);
            throw new UsageException(File.Exists(path) && !force ? $"'{path}' exists: add --force to replace it" : $"cannot write '{path}': {e.Message}");
        }
    }

    /// <summary>
    /// An output directory (corpus --out, check --out), created if missing. A symbolic link or a file
    /// there is refused; with <paramref name="mustBeEmpty"/>, so is a directory that holds anything,
    /// unless --force.
    /// </summary>
    public static void PrepareOutputDirectory(string path, bool mustBeEmpty, bool force)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new UsageException("the output directory is empty");
        if (new DirectoryInfo(path).LinkTarget is not null) throw new UsageException($"'{path}' is a symbolic link: not written through it (give the directory it points to)");
        if (File.Exists(path)) throw new UsageException($"'{path}' is a file, not a directory");
        if (mustBeEmpty && !force && Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
            throw new UsageException($"'{path}' is not empty: add --force to write into it (files of the same name are replaced)");
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot create the directory '{path}': {e.Message}");
        }
    }
}
