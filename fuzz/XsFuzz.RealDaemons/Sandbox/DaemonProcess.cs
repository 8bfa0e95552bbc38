using System.Diagnostics;
using System.Globalization;

namespace XsFuzz.RealDaemons.Sandbox;

/// <summary>
/// One daemon in its own run folder, started through <c>real-sandbox.sh exec</c>, which prepares the
/// folder and then execs the daemon: the child's pid is the daemon's pid (oxenstored keeps it across
/// its live-update re-exec; the C daemon execs its new binary in place too). Disposing kills it by pid,
/// reaps it and deletes the folder. It also dies with this process, even on SIGKILL: the shim gives it
/// PR_SET_PDEATHSIG when <c>XSFUZZ_PARENT</c> names its parent (see <see cref="Spawner"/>).
/// </summary>
public sealed partial class DaemonProcess : IDaemon
{
    private static long _counter;
    private readonly Process _process;
    private readonly bool _keepFolder;

    private DaemonProcess(DaemonKind kind, string runFolder, Process process, ExitWatch exit, bool keepFolder)
    {
        Kind = kind;
        RunFolder = runFolder;
        _process = process;
        Exit = exit;
        _keepFolder = keepFolder;
    }

    /// <summary>The shim's variable: the pid whose death kills the daemon (scripts/real/shim.c).</summary>
    public const string ParentVariable = "XSFUZZ_PARENT";

    public DaemonKind Kind { get; }
    public string RunFolder { get; }
    public string SocketPath => Path.Combine(RunFolder, "socket");
    public int Pid => _process.Id;

    public ExitWatch Exit { get; }

    public bool IsRunning => !Exit.Exited;

    /// <summary>
    /// Starts a daemon and waits (up to <paramref name="timeout"/>) until its socket exists. It is not
    /// probed with a connection: oxenstored numbers every socket connection it accepts (A1, A2, ...), and
    /// a probe would shift the scenario's names; the first real connection retries instead.
    /// <paramref name="environment"/> adds to (or replaces in) the environment the daemon inherits, e.g.
    /// the <see cref="CoverageMap"/> it writes its edges into; the layout's build goes there too.
    /// </summary>
    /// <exception cref="SandboxException">It exited or did not listen in time (its output is in the message).</exception>
    public static DaemonProcess Start(SandboxLayout layout, DaemonKind kind, TimeSpan timeout, bool keepFolder = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{(kind == DaemonKind.Oxenstored ? 'o' : 'c')}{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}");
        SweepOnce(layout.RunRoot);
        var run = Path.Combine(layout.RunRoot, name);
        if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
        Directory.CreateDirectory(run);
        var start = new ProcessStartInfo("bash") { UseShellExecute = false };
        foreach (var a in new[] { layout.Script, "--cache", layout.Cache, "exec", kind.Name(), run }) start.ArgumentList.Add(a);
        if (layout.Build is { } build) start.Environment[SandboxLayout.BuildVariable] = build;
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>()) start.Environment[variable] = value;
        start.Environment[ParentVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var process = Spawner.Start(start);
        ExitWatch exit;
        try
        {
            exit = ExitWatch.Of(process.Id);
        }
        catch
        {
            DaemonReaper.Kill(process);
            DaemonReaper.Remove(process);
            process.Dispose();
            throw;
        }
        var daemon = new DaemonProcess(kind, run, process, exit, keepFolder);
        try
        {
            daemon.WaitUntilListening(timeout);
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
        return daemon;
    }

    private static int _swept;

    /// <summary>
    /// Deletes, once per process, the run folders of xsfuzz processes that are gone: one killed with
    /// SIGKILL (as afl-fuzz ends its target) had no chance to (its daemons died with it).
    /// </summary>
    private static void SweepOnce(string runRoot)
    {
        if (Interlocked.Exchange(ref _swept, 1) == 1 || !Directory.Exists(runRoot)) return;
        foreach (var folder in Directory.EnumerateDirectories(runRoot))
        {
            var match = FolderName().Match(Path.GetFileName(folder));
            if (!match.Success || !int.TryParse(match.Groups[1].Value, CultureInfo.InvariantCulture, out var pid) || Alive(pid)) continue;
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static bool Alive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[oc]([0-9]+)-[0-9]+$")]
    private static partial System.Text.RegularExpressions.Regex FolderName();

    private void WaitUntilListening(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (!IsRunning) throw new SandboxException($"{Kind.Name()} exited at start: {OutputTail()}");
            if (File.Exists(SocketPath)) return;
            if (clock.Elapsed > timeout) throw new SandboxException($"{Kind.Name()} did not listen within {timeout.TotalSeconds:F0} s: {OutputTail()}");
            Thread.Sleep(5);
        }
    }

    /// <summary>
    /// Null while the daemon runs (after waiting up to <paramref name="grace"/> for it to exit, since a
    /// closed socket may be seen a moment before the exit), else a value-free line for signatures: the
    /// daemon's own last words (an assertion, a FATAL, an OCaml exception), or its exit status. Once the
    /// <see cref="Exit"/> watch has seen the exit, the status is waited for beyond the grace: .NET reaps
    /// the child on its own thread, which on a loaded machine can take longer than any short grace, and
    /// a death must not read as a live daemon that closed its connection.
    /// </summary>
    public string? DeathNote(TimeSpan grace)
    {
        if (!Exit.Wait(grace)) return null;
        try
        {
            if (!_process.WaitForExit(ReapWait)) return NoteOf(RunFolder, "exited (status not reaped yet)");
        }
        catch (InvalidOperationException)
        {
            return "gone";
        }
        var code = _process.ExitCode;
        return NoteOf(RunFolder, code > 128 ? $"killed by signal {code - 128}" : $"exit status {code}");
    }

    /// <summary>How long an exited daemon's status may take to come (its reaper's latency, not the daemon's).</summary>
    internal static readonly TimeSpan ReapWait = TimeSpan.FromSeconds(10);

    /// <summary>The daemon's last words in RUN/daemon.out, else <paramref name="exit"/>.</summary>
    internal static string NoteOf(string runFolder, string exit)
    {
        var path = Path.Combine(runFolder, "daemon.out");
        var output = File.Exists(path) ? File.ReadAllText(path) : "";
        if (ClangAssertion().Match(output) is { Success: true } a)
            return $"{a.Groups["file"].Value}:{a.Groups["line"].Value}: {a.Groups["function"].Value}: {a.Groups["rest"].Value.Trim()}";
        if (LastWords().Match(output) is { Success: true } m) return m.Value.Trim();
        return exit;
    }

    public string OutputTail(int lines = 15) => TailOf(RunFolder, lines);

    /// <summary>The end of RUN/daemon.out and RUN/xenstored.log (oxenstored's log).</summary>
    internal static string TailOf(string runFolder, int lines)
    {
        var text = new System.Text.StringBuilder();
        foreach (var file in new[] { "daemon.out", "xenstored.log" })
        {
            var path = Path.Combine(runFolder, file);
            if (!File.Exists(path)) continue;
            string[] all;
            try { all = File.ReadAllLines(path); }
            catch (IOException) { continue; }
            if (all.Length == 0) continue;
            text.Append("[").Append(file).Append("]\n");
            foreach (var line in all.Skip(Math.Max(0, all.Length - lines))) text.Append(line).Append('\n');
        }
        return text.Length == 0 ? "(no output)" : text.ToString();
    }

    public void Dispose()
    {
        DaemonReaper.Kill(_process);
        DaemonReaper.Remove(_process);
        _process.Dispose();
        Exit.Dispose();
        if (_keepFolder) return;
        try { Directory.Delete(RunFolder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// A C assertion ("xenstored_core.c:2118: consider_message: Assertion `...' failed."), a FATAL
    /// line, or an OCaml fatal error, up to the end of its line: the part of the output that names a crash.
    /// </summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(\w+\.c:\d+: \w+: )?Assertion [^\n]*|FATAL[^\n]*|Fatal error[^\n]*")]
    private static partial System.Text.RegularExpressions.Regex LastWords();

    /// <summary>
    /// The same assertion from a clang build (real-build.sh's traced daemons): the source's full path
    /// and the function's whole prototype ("/.../xenstored_core.c:2118: void consider_message(struct
    /// connection *): Assertion ..."). It is reduced to gcc's form above, so that one daemon bug has
    /// one signature, whichever build shows it.
    /// </summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?:[^\s:]*/)?(?<file>\w+\.c):(?<line>\d+): [^\n:]*?\b(?<function>\w+)\([^\n]*?\): (?<rest>Assertion [^\n]*)")]
    private static partial System.Text.RegularExpressions.Regex ClangAssertion();
}
