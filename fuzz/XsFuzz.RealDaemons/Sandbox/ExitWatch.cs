using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace XsFuzz.RealDaemons.Sandbox;

/// <summary>
/// Tells at once, without waiting for anyone to reap it, that a daemon has exited: a pidfd (Linux 5.3),
/// which becomes readable when the process ends, whoever its parent is — a fork server's copy is not
/// this process's child, and a fresh daemon's exit code comes only when .NET has reaped it. It follows
/// the process across the re-exec of a live update (same pid). A guest's ring has no end that closes
/// when the daemon dies, unlike a socket: its client waits on this too (<see cref="WaitEither"/>), so a
/// dead daemon ends every later ring step at once instead of after its reply timeout.
/// </summary>
public sealed class ExitWatch : IDisposable
{
    private const int SysPidfdOpen = 434;       // the same numbers on every Linux architecture
    private const int SysPidfdSendSignal = 424;
    private const int SigKill = 9;
    private const int Esrch = 3;
    private const short PollIn = 0x001;

    private readonly Lock _gate = new();       // Kill may come from another thread (RunBudget) than Dispose
    private int _fd;
    private bool _exited;

    private ExitWatch(int fd, bool exited)
    {
        _fd = fd;
        _exited = exited;
    }

    /// <summary>A watch of <paramref name="pid"/>; one that is gone already reads as exited.</summary>
    /// <exception cref="SandboxException">The kernel has no pidfds (before 5.3) or refused one.</exception>
    public static ExitWatch Of(int pid)
    {
        var fd = (int)Syscall(SysPidfdOpen, pid, 0);
        if (fd >= 0) return new ExitWatch(fd, exited: false);
        var errno = Marshal.GetLastPInvokeError();
        if (errno == Esrch) return new ExitWatch(-1, exited: true);
        throw new SandboxException($"pidfd_open({pid}): {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Whether the process has exited (a zombie counts: it serves nothing any more).</summary>
    public bool Exited => Wait(TimeSpan.Zero);

    /// <summary>Waits up to <paramref name="timeout"/> for the process to exit; whether it has.</summary>
    public bool Wait(TimeSpan timeout)
    {
        if (_exited) return true;
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        var fds = new[] { new PollFd { Fd = _fd, Events = PollIn } };
        if (Poll(fds, Milliseconds(timeout)) > 0 && fds[0].Revents != 0) _exited = true;
        return _exited;
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> until <paramref name="socket"/> is readable or the process
    /// of <paramref name="watch"/> (if any) has exited; false when neither happened.
    /// </summary>
    public static bool WaitEither(Socket socket, ExitWatch? watch, TimeSpan timeout)
    {
        if (watch is null || watch._fd < 0) return socket.Poll(Microseconds(timeout), SelectMode.SelectRead) || watch?._exited == true;
        var fds = new[]
        {
            new PollFd { Fd = (int)socket.Handle, Events = PollIn },
            new PollFd { Fd = watch._fd, Events = PollIn },
        };
        if (Poll(fds, Milliseconds(timeout)) <= 0) return false;
        if (fds[1].Revents != 0) watch._exited = true;
        return true;
    }

    /// <summary>
    /// SIGKILL through the pidfd, which names this process even if its pid has been reused since; a
    /// no-op once disposed.
    /// </summary>
    public void Kill()
    {
        lock (_gate)
        {
            if (_fd >= 0) _ = PidfdSendSignal(SysPidfdSendSignal, _fd, SigKill, IntPtr.Zero, 0);
        }
    }

    /// <summary>poll(2), retried when a signal interrupts it (the runtime's own signals do).</summary>
    private static int Poll(PollFd[] fds, int milliseconds)
    {
        const int Eintr = 4;
        while (true)
        {
            var n = PollNative(fds, (nuint)fds.Length, milliseconds);
            if (n >= 0 || Marshal.GetLastPInvokeError() != Eintr) return n;
        }
    }

    /// <summary>Rounded up, so that a short wait is not a busy poll of 0 ms.</summary>
    private static int Milliseconds(TimeSpan timeout) =>
        timeout <= TimeSpan.Zero ? 0 : (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalMilliseconds));

    private static int Microseconds(TimeSpan timeout) => (int)Math.Clamp(timeout.Ticks / 10, 0, int.MaxValue);

    public void Dispose()
    {
        lock (_gate)
        {
            if (_fd < 0) return;
            _ = Close(_fd);
            _fd = -1;
            _exited = true;     // only its daemon's owner disposes it, after killing the daemon
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, int pid, uint flags);

    [DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long PidfdSendSignal(long number, int pidfd, int signal, IntPtr info, uint flags);

    [DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int PollNative([In, Out] PollFd[] fds, nuint count, int milliseconds);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
