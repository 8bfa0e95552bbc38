using System.Runtime.InteropServices;
using System.Text;

namespace XsFuzz.Serve;

internal enum PathKind { Missing, Socket, Other, Unknown }

/// <summary>
/// What is at a path, without following a final symlink. .NET reports sockets, FIFOs and regular files
/// all as "Normal", so this asks the kernel with statx(2), whose result layout is the same on every
/// Linux architecture (unlike struct stat).
/// </summary>
internal static class FileKind
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1, StatxCtime = 0x80, StatxIno = 0x100;
    private const int StatxModeOffset = 28; // struct statx: mask, blksize, attributes, nlink, uid, gid, then mode (u16)
    private const int FormatMask = 0xF000, SocketFormat = 0xC000;
    private const int NoSuchEntry = 2;

    private const int StatxInoOffset = 32, StatxCtimeOffset = 96, StatxDevMajorOffset = 136, StatxDevMinorOffset = 140;

    public static PathKind Of(string path) => Identify(path).Kind;

    /// <summary>
    /// What is at the path and which file it is (device and inode, null if unknown): the server removes
    /// a socket at stop only if it is still the very one it bound. The change time is part of it: a file
    /// created after ours was removed may get our inode number back.
    /// </summary>
    public static (PathKind Kind, (ulong Device, ulong Inode, long Changed, uint ChangedNs)? Identity) Identify(string path)
    {
        var buffer = new byte[256];
        int result, error;
        try
        {
            result = NativeMethods.statx(AtFdCwd, Encoding.UTF8.GetBytes(path + "\0"), AtSymlinkNoFollow, StatxType | StatxIno | StatxCtime, buffer);
            error = Marshal.GetLastPInvokeError();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return (File.Exists(path) || Directory.Exists(path) ? PathKind.Unknown : PathKind.Missing, null);
        }
        if (result != 0) return (error == NoSuchEntry ? PathKind.Missing : PathKind.Unknown, null);
        var mode = BitConverter.ToUInt16(buffer, StatxModeOffset);
        var device = ((ulong)BitConverter.ToUInt32(buffer, StatxDevMajorOffset) << 32) | BitConverter.ToUInt32(buffer, StatxDevMinorOffset);
        var identity = (device, BitConverter.ToUInt64(buffer, StatxInoOffset),
            BitConverter.ToInt64(buffer, StatxCtimeOffset), BitConverter.ToUInt32(buffer, StatxCtimeOffset + 8));
        return ((mode & FormatMask) == SocketFormat ? PathKind.Socket : PathKind.Other, identity);
    }

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport would need AllowUnsafeBlocks in a project file this folder does not own
        public static extern int statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);
#pragma warning restore SYSLIB1054
    }
}
