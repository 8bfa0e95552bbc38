using System.Diagnostics;

namespace XsFuzz.Serve.Tests.Support;

/// <summary>
/// Runs Debian's xenstore-utils (package xenstore-utils, which brings libxenstore4) against a socket:
/// libxenstore connects to XENSTORED_PATH. scripts/test.sh installs the package; when it is missing
/// the tests fail and say so instead of skipping.
/// </summary>
public static class XenstoreUtils
{
    public sealed record Result(int ExitCode, string Out, string Err);

    public static string Locate(string tool)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/bin");
        foreach (var folder in folders)
        {
            var path = Path.Combine(folder, tool);
            if (File.Exists(path)) return path;
        }
        Assert.Fail($"{tool} is not installed. These tests run Debian's real clients: apt-get install -y xenstore-utils " +
                    "(scripts/test.sh does it before the tests).");
        return "";
    }

    public static Process Start(string socketPath, string tool, params string[] args)
    {
        var start = new ProcessStartInfo(Locate(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["XENSTORED_PATH"] = socketPath;
        return Process.Start(start) ?? throw new InvalidOperationException("could not start " + tool);
    }

    public static Result Run(string socketPath, string tool, params string[] args)
    {
        using var process = Start(socketPath, tool, args);
        return Finish(process, TimeSpan.FromSeconds(20), $"{tool} {string.Join(' ', args)}");
    }

    public static Result Finish(Process process, TimeSpan timeout, string what)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill();
            process.WaitForExit();
            Assert.Fail($"{what} did not finish within {timeout.TotalSeconds} s; output so far: {stdout.Result}{stderr.Result}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
