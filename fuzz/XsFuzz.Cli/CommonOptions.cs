using System.CommandLine;
using System.Globalization;
using XsFuzz.Harness;
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

    public static LiveUpdateFault ParseFault(string? name)
    {
        if (name is null) return LiveUpdateFault.None;
        if (FaultCatalog.TryParse(name, out var fault)) return fault;
        throw new UsageException($"unknown fault '{name}'; known: {string.Join(", ", FaultCatalog.All.Select(FaultCatalog.NameOf))}");
    }

    public static HarnessOptions Harness(int? maxCommands)
    {
        if (maxCommands is null) return HarnessOptions.Default;
        if (maxCommands < 1 || maxCommands > 10_000) throw new UsageException("--max-commands must be between 1 and 10000");
        return HarnessOptions.Default with { MaxCommands = maxCommands.Value };
    }

    /// <summary>An input file's bytes; unreadable or empty files are usage errors.</summary>
    public static byte[] ReadInput(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read '{path}': {e.Message}");
        }
        if (bytes.Length == 0) throw new UsageException($"'{path}' is empty");
        return bytes;
    }

    public static byte[] ReadBase64(string text)
    {
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
        return bytes;
    }

    /// <summary>"90", "90s", "5m", "1.5h" as a time span.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        var unit = text.Length > 0 ? text[^1] : ' ';
        var scale = unit switch { 's' => 1.0, 'm' => 60.0, 'h' => 3600.0, _ => 0.0 };
        var number = scale == 0.0 ? text : text[..^1];
        if (scale == 0.0) scale = 1.0;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw new UsageException($"bad duration '{text}' (examples: 90, 90s, 5m, 1.5h)");
        return TimeSpan.FromSeconds(value * scale);
    }

    public static void WriteOutput(string path, byte[] bytes)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null) Directory.CreateDirectory(directory);
            File.WriteAllBytes(path, bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot write '{path}': {e.Message}");
        }
    }
}
