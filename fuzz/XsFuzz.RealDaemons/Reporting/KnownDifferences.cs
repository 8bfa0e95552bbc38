using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.RealDaemons.Reporting;

/// <summary>One allow-list entry: which runs and signatures it covers, why, and the trace that shows it.</summary>
public sealed record KnownDifference(string Mode, string Daemon, string Pattern, string Reason, string Trace)
{
    public bool Matches(RunDescription run, string signature) =>
        (Mode == "*" || Mode == run.Command) && (Daemon == "*" || Daemon == run.Kind.Name())
        && (Pattern.StartsWith("re:", StringComparison.Ordinal)
            ? Regex.IsMatch(signature, "^(?:" + Pattern[3..] + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))
            : Glob(Pattern, signature));

    /// <summary>'*' matches any run of characters; everything else literally.</summary>
    internal static bool Glob(string pattern, string text)
    {
        var parts = pattern.Split('*');
        if (!text.StartsWith(parts[0], StringComparison.Ordinal)) return false;
        var at = parts[0].Length;
        for (var i = 1; i < parts.Length; i++)
        {
            if (i == parts.Length - 1)
                return text.Length - at >= parts[i].Length && text.EndsWith(parts[i], StringComparison.Ordinal);
            var found = text.IndexOf(parts[i], at, StringComparison.Ordinal);
            if (found < 0) return false;
            at = found + parts[i].Length;
        }
        return at == text.Length;
    }
}

/// <summary>
/// The allow-list of known, understood differences (fuzz/XsFuzz.RealDaemons/known-differences.txt,
/// built into the assembly). Blocks of three fields, each block one entry:
/// <code>
/// signature: [lu oxenstored] reply to DEBUG watches: DEBUG payload
/// reason: why it differs, and why that is acceptable (or whose bug it is)
/// trace: the command line that shows it
/// </code>
/// A field continues on following lines that start with whitespace; '#' lines are comments. The
/// bracket names the mode (lu, diff or *) and the daemon (oxenstored, xenstored or *). The pattern is
/// the whole signature, where '*' matches anything, or, after "re:", a .NET regular expression that
/// must match the whole signature. Every entry must have a reason and a trace.
/// </summary>
public sealed class KnownDifferences(IReadOnlyList<KnownDifference> entries)
{
    public IReadOnlyList<KnownDifference> Entries => entries;

    public KnownDifference? Match(RunDescription run, string signature) => entries.FirstOrDefault(e => e.Matches(run, signature));

    public static KnownDifferences Builtin()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("known-differences.txt")
            ?? throw new InvalidOperationException("known-differences.txt is not embedded");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader.ReadToEnd(), "known-differences.txt");
    }

    public static KnownDifferences Load(string path) => Parse(File.ReadAllText(path), path);

    /// <exception cref="FormatException">A malformed entry (the message names the line).</exception>
    public static KnownDifferences Parse(string text, string source)
    {
        var entries = new List<KnownDifference>();
        Dictionary<string, string>? fields = null;
        string? field = null;
        var startLine = 0;
        var lines = text.Split('\n');
        void Close()
        {
            if (fields is null) return;
            foreach (var required in new[] { "signature", "reason", "trace" })
            {
                if (!fields.ContainsKey(required)) throw new FormatException($"{source}:{startLine}: entry without '{required}:'");
            }
            entries.Add(Entry(fields["signature"], fields["reason"], fields["trace"], source, startLine));
            fields = null;
        }
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.StartsWith('#')) continue;
            if (line.Trim().Length == 0) { field = null; continue; }
            if (char.IsWhiteSpace(line[0]))
            {
                if (fields is null || field is null) throw new FormatException($"{source}:{i + 1}: continuation line outside a field");
                fields[field] += " " + line.Trim();
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = colon < 0 ? "" : line[..colon];
            if (name is not ("signature" or "reason" or "trace")) throw new FormatException($"{source}:{i + 1}: expected signature:, reason: or trace:");
            if (name == "signature")
            {
                Close();
                fields = new Dictionary<string, string>(StringComparer.Ordinal);
                startLine = i + 1;
            }
            if (fields is null) throw new FormatException($"{source}:{i + 1}: '{name}:' before 'signature:'");
            fields[name] = line[(colon + 1)..].Trim();
            field = name;
        }
        Close();
        return new KnownDifferences(entries);
    }

    private static KnownDifference Entry(string signature, string reason, string trace, string source, int line)
    {
        var close = signature.IndexOf(']', StringComparison.Ordinal);
        if (!signature.StartsWith('[') || close < 0) throw new FormatException($"{source}:{line}: signature must start with [MODE DAEMON]");
        var scope = signature[1..close].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scope.Length != 2 || scope[0] is not ("lu" or "diff" or "*") || scope[1] is not ("oxenstored" or "xenstored" or "*"))
            throw new FormatException($"{source}:{line}: expected [lu|diff|* oxenstored|xenstored|*]");
        var pattern = signature[(close + 1)..].Trim();
        if (pattern.StartsWith("re:", StringComparison.Ordinal))
        {
            try { _ = new Regex(pattern[3..]); }
            catch (ArgumentException e) { throw new FormatException($"{source}:{line}: bad regular expression: {e.Message}"); }
        }
        return new KnownDifference(scope[0], scope[1], pattern, reason, trace);
    }
}
