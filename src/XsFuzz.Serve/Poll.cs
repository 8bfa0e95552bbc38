using System.Runtime.InteropServices;

namespace XsFuzz.Serve;

/// <summary>One entry of poll(2)'s array: a descriptor, the events wanted, the events that happened.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PollFd
{
    public const short In = 0x001, Out = 0x004, Error = 0x008, HangUp = 0x010, Invalid = 0x020;

    public int Fd;
    public short Events;
    public short Returned;
}

/// <summary>
/// poll(2), the whole of the server's waiting: one thread waits on every socket at once, so an idle
/// connection costs a descriptor and a few objects, never a thread.
/// </summary>
internal static class Poll
{
    private const int Interrupted = 4; // EINTR

    /// <summary>Waits up to <paramref name="timeoutMs"/> for the first <paramref name="count"/> entries; false if interrupted.</summary>
    public static bool Wait(PollFd[] fds, int count, int timeoutMs)
    {
        var result = NativeMethods.poll(fds, (nuint)count, timeoutMs);
        if (result >= 0) return true;
        var error = Marshal.GetLastPInvokeError();
        return error == Interrupted ? false : throw new IOException($"poll failed (errno {error})");
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks
        public static extern int poll([In, Out] PollFd[] fds, nuint nfds, int timeout);
#pragma warning restore SYSLIB1054
    }
}
