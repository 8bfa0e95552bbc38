using System.Diagnostics;

namespace XsFuzz.RealDaemons.Sandbox;

/// <summary>
/// Where scripts/real-sandbox.sh put things: its own path, the cache, the run folders' parent and the
/// two daemon binaries. Obtained by running the script's <c>setup --quiet</c> (idempotent, quick when
/// done) and then <c>info</c>.
/// </summary>
public sealed record SandboxLayout(string Script, string Cache, string RunRoot, string OxenstoredBinary, string XenstoredBinary)
{
    public const string ScriptRelativePath = "scripts/real-sandbox.sh";

    /// <summary>The sandbox script's choice of daemon binaries: Debian's, or a build of real-build.sh.</summary>
    public const string BuildVariable = "XSFUZZ_REAL_BUILD";

    /// <summary>
    /// The build of scripts/real-build.sh the daemons run ("traced", "plain"), or null for what the
    /// environment says (Debian's binaries when XSFUZZ_REAL_BUILD is unset).
    /// </summary>
    public string? Build { get; init; }

    /// <summary>The daemon's resolved binary path (what oxenstored writes to /tool/xenstored).</summary>
    public string Binary(DaemonKind kind) => kind == DaemonKind.Oxenstored ? OxenstoredBinary : XenstoredBinary;

    /// <summary>Sets the sandbox up if needed and reads its layout.</summary>
    /// <param name="script">The script, or null for <see cref="FindScript"/>.</param>
    /// <param name="cache">The cache folder, or null for the script's default (build/real, or $XSFUZZ_REAL_CACHE).</param>
    /// <param name="build">The build to run (see <see cref="Build"/>), or null.</param>
    /// <exception cref="SandboxException">No script, or the setup failed (or the build is missing).</exception>
    public static SandboxLayout Prepare(string? script, string? cache, string? build = null)
    {
        var path = script ?? FindScript() ?? throw new SandboxException(
            $"cannot find {ScriptRelativePath} above {AppContext.BaseDirectory} or the current folder: give --sandbox");
        if (!File.Exists(path)) throw new SandboxException($"no sandbox script at {path}");
        Run(path, cache, build, "setup", "--quiet");
        var info = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in Run(path, cache, build, "info").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) info[line[..eq]] = line[(eq + 1)..];
        }
        string Get(string key) => info.TryGetValue(key, out var v) ? v : throw new SandboxException($"{path} info: no '{key}'");
        return new SandboxLayout(Path.GetFullPath(path), Get("cache"), Get("run"), Get("oxenstored"), Get("xenstored"))
        {
            Build = build,
        };
    }

    /// <summary>$XSFUZZ_REAL_SANDBOX, else scripts/real-sandbox.sh above this program or the current folder.</summary>
    public static string? FindScript()
    {
        if (Environment.GetEnvironmentVariable("XSFUZZ_REAL_SANDBOX") is { Length: > 0 } given) return given;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, ScriptRelativePath);
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    private static string Run(string script, string? cache, string? build, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (build is not null) start.Environment[BuildVariable] = build;
        start.ArgumentList.Add(script);
        if (cache is not null)
        {
            start.ArgumentList.Add("--cache");
            start.ArgumentList.Add(cache);
        }
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new SandboxException("cannot run bash");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new SandboxException($"{script} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result.Trim()}");
        return stdout;
    }
}

/// <summary>The sandbox could not be set up, or a daemon would not start.</summary>
public sealed class SandboxException(string message) : Exception(message);
