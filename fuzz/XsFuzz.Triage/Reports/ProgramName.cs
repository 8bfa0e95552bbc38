namespace XsFuzz.Triage.Reports;

/// <summary>
/// How reproducer lines name xsfuzz so that they work as printed: the harness writes "xsfuzz replay",
/// which is only right when xsfuzz is on PATH; the running program's own path always is.
/// </summary>
public static class ProgramName
{
    private const string Bare = "xsfuzz";

    /// <summary>The running xsfuzz's full path, or "xsfuzz" when this is not the xsfuzz program (tests).</summary>
    public static string Current
    {
        get
        {
            var path = Environment.ProcessPath;
            return path is not null && Path.GetFileName(path) == Bare ? path : Bare;
        }
    }

    /// <summary>A word for a POSIX shell: bare when safe, else single-quoted.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "_./:,=+@%-".Contains(c))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The report with every "xsfuzz replay" reproducer line starting with <see cref="Current"/>.</summary>
    public static string InReproducers(string report)
    {
        var program = Quote(Current);
        if (program == Bare) return report;
        return report.Replace("\nxsfuzz replay ", "\n" + program + " replay ", StringComparison.Ordinal);
    }
}
