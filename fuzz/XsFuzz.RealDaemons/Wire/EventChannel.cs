using XsFuzz.Harness.Running;
using System.Buffers.Binary;
using System.Net.Sockets;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.RealDaemons.Wire;

/// <summary>
/// The guest's end of a domain's event channel in the sandbox (scripts/real/xenevtchn.c): a Unix
/// datagram socket bound at <c>RUN/ev&lt;port&gt;</c>, where the daemon's notifications for that port
/// arrive, and from which a kick (the port's 4 bytes) goes to the daemon's <c>RUN/evtchn</c>.
/// Waiting is a blocking poll of the socket, never a spin.
/// </summary>
public sealed class EventChannel : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _daemon;
    private readonly string _path;
    private readonly byte[] _drain = new byte[64];

    public EventChannel(string runFolder, uint port)
    {
        Port = port;
        _path = ClientPath(runFolder, port);
        _daemon = new UnixDomainSocketEndPoint(DaemonPath(runFolder));
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            File.Delete(_path);            // a stale socket of an earlier client of this port
            _socket.Bind(new UnixDomainSocketEndPoint(_path));
            _socket.SendTimeout = 5000;
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    public uint Port { get; }

    /// <summary>Our end: what the kernel still holds of our kicks shows whether the daemon has read them.</summary>
    internal Socket Socket => _socket;

    public static string DaemonPath(string runFolder) => Path.Combine(runFolder, "evtchn");
    public static string ClientPath(string runFolder, uint port) => Path.Combine(runFolder, "ev" + port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Signals the daemon on this port; false if it has no event socket (it is gone).</summary>
    public bool Kick()
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Port);
        try
        {
            _socket.SendTo(bytes, SocketFlags.None, _daemon);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a notification, or for the daemon of
    /// <paramref name="daemon"/> to exit, and swallows every notification queued (they only say "look
    /// at the ring"); false when neither came.
    /// </summary>
    public bool Wait(TimeSpan timeout, ExitWatch? daemon = null)
    {
        if (!ExitWatch.WaitEither(_socket, daemon, timeout)) return false;
        while (_socket.Available > 0) _socket.Receive(_drain);
        return true;
    }

    public void Dispose()
    {
        _socket.Dispose();
        try { File.Delete(_path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
