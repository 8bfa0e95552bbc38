using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace XsFuzz.Serve;

/// <summary>
/// epoll(7), the whole of the server's waiting: one thread waits on every socket at once, and a wait
/// costs what is ready, not what is open, so 1,000 idle connections cost neither a thread each nor
/// time on every round (poll(2) walks its whole array, about 150 us per 1,000 sockets here, twice
/// per request). Level-triggered: a descriptor is reported as long as it is ready for what it is
/// registered for, so what the loop leaves unread is reported again.
/// </summary>
internal sealed class Epoll : IDisposable
{
    public const uint In = 0x001, Out = 0x004, Error = 0x008, HangUp = 0x010;

    private const int CloseOnExec = 0x80000; // EPOLL_CLOEXEC
    private const int Add = 1, Delete = 2, Modify = 3; // EPOLL_CTL_*
    private const int Interrupted = 4; // EINTR

    // struct epoll_event is { uint32 events; uint64 data; }, packed on x86-64 only.
    private static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = EventSize - 8;

    private readonly int _fd;
    private readonly byte[] _one = new byte[EventSize];
    private readonly byte[] _ready;

    public Epoll(int maxEvents)
    {
        _fd = NativeMethods.epoll_create1(CloseOnExec);
        if (_fd < 0) throw new IOException($"epoll_create1 failed (errno {Marshal.GetLastPInvokeError()})");
        _ready = new byte[maxEvents * EventSize];
    }

    /// <summary>Starts watching <paramref name="fd"/> for <paramref name="events"/>; waits report it as <paramref name="token"/>.</summary>
    public void Register(int fd, uint events, ulong token) => Control(Add, fd, events, token);

    public void Change(int fd, uint events, ulong token) => Control(Modify, fd, events, token);

    /// <summary>Stops watching a descriptor that is about to be closed (closing alone would do, but not if it were duplicated).</summary>
    public void Unregister(int fd) => Control(Delete, fd, 0, 0);

    /// <summary>Waits up to <paramref name="timeoutMs"/>; the number of ready entries (0 if interrupted), read with <see cref="TokenAt"/> and <see cref="EventsAt"/>.</summary>
    public int Wait(int timeoutMs)
    {
        var count = NativeMethods.epoll_wait(_fd, _ready, _ready.Length / EventSize, timeoutMs);
        if (count >= 0) return count;
        var error = Marshal.GetLastPInvokeError();
        return error == Interrupted ? 0 : throw new IOException($"epoll_wait failed (errno {error})");
    }

    public uint EventsAt(int index) => BinaryPrimitives.ReadUInt32LittleEndian(_ready.AsSpan(index * EventSize));

    public ulong TokenAt(int index) => BinaryPrimitives.ReadUInt64LittleEndian(_ready.AsSpan(index * EventSize + DataOffset));

    public void Dispose() => NativeMethods.close(_fd);

    private void Control(int operation, int fd, uint events, ulong token)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_one, events);
        BinaryPrimitives.WriteUInt64LittleEndian(_one.AsSpan(DataOffset), token);
        if (NativeMethods.epoll_ctl(_fd, operation, fd, _one) < 0)
            throw new IOException($"epoll_ctl({operation}) on descriptor {fd} failed (errno {Marshal.GetLastPInvokeError()})");
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int epoll_create1(int flags);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int epoll_ctl(int epfd, int op, int fd, byte[] ev);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int epoll_wait(int epfd, [Out] byte[] events, int maxevents, int timeout);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int close(int fd);
#pragma warning restore SYSLIB1054
    }
}
