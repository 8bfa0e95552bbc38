using System.Net.Sockets;

namespace XsFuzz.Serve;

/// <summary>
/// The listening Unix stream socket at a path: claims the path (a stale socket file is replaced, anything
/// else is refused), accepts clients, and removes the socket file when disposed.
/// </summary>
internal sealed class SocketListener : IDisposable
{
    private readonly Socket _socket;
    private bool _disposed;

    private SocketListener(string path, Socket socket)
    {
        Path = path;
        _socket = socket;
    }

    public string Path { get; }

    public static SocketListener Bind(string path)
    {
        ClaimPath(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(128);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            socket.Dispose();
            throw new ServeException($"cannot listen on '{path}': {e.Message}");
        }
        return new SocketListener(path, socket);
    }

    public ValueTask<Socket> AcceptAsync(CancellationToken cancel) => _socket.AcceptAsync(cancel);

    /// <summary>Stops listening and removes the socket file (only if a socket is still there).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _socket.Dispose();
        if (FileKind.Of(Path) == PathKind.Socket)
        {
            try { File.Delete(Path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Makes the path free for bind(2): nothing there is fine; a socket nobody answers on is a leftover
    /// of a server that died and is removed; a live socket or any other file is left alone and refused.
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
