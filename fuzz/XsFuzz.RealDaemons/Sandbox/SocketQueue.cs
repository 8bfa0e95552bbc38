using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace XsFuzz.RealDaemons.Sandbox;

/// <summary>
/// What the kernel still holds of what we sent on a Unix socket: for a stream and a datagram socket
/// alike, Linux charges sent bytes to the sender until the receiver has read them (SIOCOUTQ), so 0
/// means the daemon has read all of it.
/// </summary>
internal static class SocketQueue
{
    private const ulong SiocOutQ = 0x5411;

    /// <summary>Bytes sent on <paramref name="socket"/> that the peer has not read; -1 if the kernel would not say.</summary>
    public static int Unread(Socket socket)
    {
        try
        {
            return Ioctl((int)socket.Handle, SiocOutQ, out var bytes) == 0 ? bytes : -1;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int Ioctl(int fd, ulong request, out int value);
}
