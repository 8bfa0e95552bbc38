using System.Collections.Concurrent;
using System.Diagnostics;

namespace XsFuzz.RealDaemons.Sandbox;

/// <summary>
/// Starts every daemon from one thread that lives as long as this process. PR_SET_PDEATHSIG, which
/// the shim gives each daemon so that none outlives a SIGKILLed xsfuzz, fires when the *thread* that
/// forked it ends, not the process: a daemon started from a thread-pool thread would be killed when
/// the pool retires that thread. .NET forks from the thread that calls Process.Start.
/// </summary>
internal static class Spawner
{
    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Done)> Queue = [];

    static Spawner()
    {
        new Thread(Loop) { IsBackground = true, Name = "xsfuzz daemon spawner" }.Start();
    }

    /// <summary>Starts the process on the spawner thread and registers it with the reaper.</summary>
    /// <exception cref="SandboxException">It would not start.</exception>
    public static Process Start(ProcessStartInfo info)
    {
        var done = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((info, done));
        return done.Task.GetAwaiter().GetResult();
    }

    private static void Loop()
    {
        foreach (var (info, done) in Queue.GetConsumingEnumerable())
        {
            try
            {
                var process = Process.Start(info) ?? throw new SandboxException($"cannot run {info.FileName}");
                DaemonReaper.Add(process);
                done.SetResult(process);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or SandboxException)
            {
                done.SetException(e as SandboxException ?? new SandboxException($"cannot run {info.FileName}: {e.Message}"));
            }
        }
    }
}
