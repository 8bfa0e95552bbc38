using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace XsFuzz.Serve;

/// <summary>
/// The listening Unix stream socket at a path, owned by exactly one server. Ownership is a lock
/// (flock(2), taken by .NET for <see cref="FileShare.None"/>) on <c>PATH.lock</c> beside the socket:
/// whoever holds it may replace a stale socket and bind; a second server fails at once. At stop the
/// socket file is removed only if it is still the one this server bound; the lock file stays (removing
/// it would let two servers lock two different files).
/// </summary>
internal sealed class SocketListener : IDisposable
{
    private readonly Socket _socket;
    private readonly FileStream _lock;
    private readonly (ulong Device, ulong Inode, long Changed, uint ChangedNs)? _bound;
    private bool _disposed;

    private SocketListener(string path, Socket socket, FileStream lockFile, (ulong, ulong, long, uint)? bound)
    {
        Path = path;
        _socket = socket;
        _lock = lockFile;
        _bound = bound;
    }

    public string Path { get; }

    public Socket Socket => _socket;

    public static string LockPathOf(string path) => path + ".lock";

    /// <summary>Locks, claims and binds the path; <paramref name="mode"/> (if any) is set before anyone can connect.</summary>
    public static SocketListener Bind(string path, UnixFileMode? mode)
    {
        var lockFile = Lock(path);
        Socket? socket = null;
        try
        {
            ClaimPath(path);
            socket = BindPath(path);
            // Before listen(2): until then a connect is refused, so no client ever sees the umask's mode.
            if (mode is { } m && !OperatingSystem.IsWindows()) File.SetUnixFileMode(path, m);
            var bound = FileKind.Identify(path).Identity;
            socket.Listen(512);
            socket.Blocking = false;
            return new SocketListener(path, socket, lockFile, bound);
        }
        catch (Exception e) when (e is SocketException or ArgumentException or IOException or UnauthorizedAccessException or ServeException)
        {
            socket?.Dispose();
            lockFile.Dispose();
            throw e as ServeException ?? new ServeException($"cannot listen on '{path}': {e.Message}");
        }
    }

    /// <summary>Stops listening; removes the socket file if it is still ours; releases the lock.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _socket.Dispose();
        var (kind, identity) = FileKind.Identify(Path);
        if (kind == PathKind.Socket && _bound is not null && identity == _bound)
        {
            try { File.Delete(Path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        _lock.Dispose();
    }

    private static FileStream Lock(string path)
    {
        var lockPath = LockPathOf(path);
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(lockPath))
        {
            throw new ServeException($"'{path}' is in use: another server holds its lock '{lockPath}'");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ServeException($"cannot listen on '{path}': cannot open its lock file '{lockPath}': {e.Message}");
        }
    }

    /// <summary>
    /// Makes the path free for bind(2), holding the lock: nothing there is fine; a socket nobody answers
    /// on is a leftover of a server that died and is removed; a live socket (a daemon that does not take
    /// our lock) or any other file is left alone and refused.
    /// </summary>
    private static void ClaimPath(string path)
    {
        switch (FileKind.Of(path))
        {
            case PathKind.Missing:
                return;
            case PathKind.Socket when !SomeoneListens(path):
                try { File.Delete(path); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ServeException($"cannot remove the stale socket '{path}': {e.Message}");
                }
                return;
            case PathKind.Socket:
                throw new ServeException($"'{path}' is in use: a server is listening on it");
            default:
                throw new ServeException($"'{path}' exists and is not a socket; refusing to replace it");
        }
    }

    /// <summary>
    /// bind(2) called directly: a socket .NET bound itself unlinks its path when disposed, whatever is
    /// at that path by then (which is how a stopping server used to delete another server's socket).
    /// </summary>
    private static Socket BindPath(string path)
    {
        const int familyUnix = 1, stream = 1, closeOnExec = 0x80000, sunPathSize = 108;
        var name = Encoding.UTF8.GetBytes(path);
        if (name.Length >= sunPathSize || name.Contains((byte)0)) throw new ServeException($"cannot listen on '{path}': the path is too long for a Unix socket or contains NUL");
        var address = new byte[2 + sunPathSize];
        BitConverter.GetBytes((ushort)familyUnix).CopyTo(address, 0);
        name.CopyTo(address, 2);
        var fd = NativeMethods.socket(familyUnix, stream | closeOnExec, 0);
        if (fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        if (NativeMethods.bind(fd, address, address.Length) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw new SocketException(error);
        }
        return new Socket(handle);
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks
        public static extern int bind(int fd, byte[] address, int length);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int socket(int domain, int type, int protocol);
#pragma warning restore SYSLIB1054
    }

    private static bool SomeoneListens(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
