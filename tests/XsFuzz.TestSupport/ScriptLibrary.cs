using System.Diagnostics;

namespace XsFuzz.TestSupport;

/// <summary>
/// Runs a function of the scripts' shared library (scripts/lib/common.sh) in bash, so that a test can
/// hold a script's rule against the C# that owns the same rule.
/// </summary>
public static class ScriptLibrary
{
    /// <summary>Sources common.sh, runs the bash snippet with the arguments as $1..., and returns its exit code and output lines.</summary>
    public static (int ExitCode, string[] Lines) Run(string snippet, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-c", "source \"$0\"; " + snippet, Repository.PathOf("scripts", "lib", "common.sh"), .. args])
            start.ArgumentList.Add(arg);
        using var bash = Process.Start(start)!;
        var lines = bash.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        bash.WaitForExit();
        return (bash.ExitCode, lines);
    }
}
