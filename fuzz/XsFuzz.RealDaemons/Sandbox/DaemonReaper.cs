using System.Diagnostics;

namespace XsFuzz.RealDaemons.Sandbox;

/// <summary>
/// Every daemon this process started and has not stopped yet. When the process exits (normally, on
/// an unhandled exception, or on SIGTERM/Ctrl-C, which .NET turns into ProcessExit), whatever is left is
/// killed by its pid, so no daemon outlives xsfuzz.
/// </summary>
internal static class DaemonReaper
{
    private static readonly Lock Gate = new();
    private static readonly HashSet<Process> Live = [];
    private static bool _hooked;

    public static void Add(Process process)
    {
        lock (Gate)
        {
            if (!_hooked)
            {
                AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
                AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
                _hooked = true;
            }
            Live.Add(process);
        }
    }

    public static void Remove(Process process)
    {
        lock (Gate) Live.Remove(process);
    }

    /// <summary>Daemons currently running (for tests that check nothing leaks).</summary>
    public static int Count
    {
        get { lock (Gate) return Live.Count; }
    }

    public static void KillAll()
    {
        Process[] all;
        lock (Gate)
        {
            all = [.. Live];
            Live.Clear();
        }
        foreach (var process in all) Kill(process);
    }

    /// <summary>SIGKILL by pid and reap: nothing in a daemon needs saving.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill();
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }       // it was never started or is gone already
        catch (System.ComponentModel.Win32Exception) { }
    }
}
