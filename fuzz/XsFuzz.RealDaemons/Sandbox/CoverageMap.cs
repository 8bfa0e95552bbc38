using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XsFuzz.RealDaemons.Sandbox;

/// <summary>
/// An AFL edge map that this process owns and a traced daemon writes into: a SysV shared memory segment
/// of AFL's size, whose id goes to the daemon as <c>__AFL_SHM_ID</c> (<see cref="Environment"/>), as
/// afl-fuzz itself would pass it. The daemon's AFL runtime (afl-clang-fast's, or OCaml's for
/// oxenstored) attaches at start and again after the re-exec of a live update, so one map sees both
/// processes. The segment is marked for removal as soon as it is attached here: Linux lets later
/// processes attach a marked segment by id, and the kernel frees it when the last one detaches, so no
/// segment outlives xsfuzz and its daemons whatever way they end.
/// </summary>
public sealed class CoverageMap : IDisposable
{
    /// <summary>AFL's default map size (MAP_SIZE), the size the daemons' runtimes write.</summary>
    public const int Size = 1 << 16;

    /// <summary>The environment variable AFL runtimes read the map's id from.</summary>
    public const string ShmIdVariable = "__AFL_SHM_ID";

    /// <summary>
    /// Odd, so i -> i * Scramble mod 2^16 is a bijection: the daemons' edge ids (dense, from 0, in
    /// afl-clang-fast's pc-guard mode) land spread over the map instead of on the harness's own edges.
    /// </summary>
    private const int Scramble = 40503;

    private const int IpcPrivate = 0, IpcCreat = 0x200, IpcRmid = 0;

    private IntPtr _address;

    private CoverageMap(int id, IntPtr address)
    {
        Id = id;
        _address = address;
    }

    /// <summary>The segment's id, what the daemon gets in <c>__AFL_SHM_ID</c>.</summary>
    public int Id { get; }

    /// <summary>The environment a daemon needs to write into this map.</summary>
    public IReadOnlyDictionary<string, string> Environment =>
        new Dictionary<string, string>(StringComparer.Ordinal) { [ShmIdVariable] = Id.ToString(CultureInfo.InvariantCulture) };

    /// <exception cref="SandboxException">The kernel refused a segment.</exception>
    public static CoverageMap Create()
    {
        var id = ShmGet(IpcPrivate, Size, IpcCreat | 0x180);   // 0600: only this user's daemons attach
        if (id < 0) throw new SandboxException($"shmget: {Marshal.GetLastPInvokeErrorMessage()}");
        var address = ShmAt(id, IntPtr.Zero, 0);
        if (address == new IntPtr(-1))
        {
            var error = Marshal.GetLastPInvokeErrorMessage();
            _ = ShmCtl(id, IpcRmid, IntPtr.Zero);
            throw new SandboxException($"shmat: {error}");
        }
        _ = ShmCtl(id, IpcRmid, IntPtr.Zero);
        var map = new CoverageMap(id, address);
        map.Clear();
        return map;
    }

    /// <summary>The map's bytes, one hit counter per edge, as the daemons see them.</summary>
    public Span<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_address == IntPtr.Zero, this);
            return MemoryMarshal.CreateSpan(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), _address), Size);
        }
    }

    public void Clear() => Bytes.Clear();

    /// <summary>The number of edges hit (non-zero bytes).</summary>
    public int Count()
    {
        var bytes = Bytes;
        return Size - bytes.Count((byte)0);
    }

    /// <summary>
    /// Adds every non-zero counter into <paramref name="target"/> (an AFL map of the same size) at its
    /// scrambled index, saturating at 255 (a sum that wrapped would read as a smaller hit-count bucket).
    /// With <paramref name="hitCounts"/> false each edge hit adds 1 whatever its count: loops whose
    /// count depends on timing (a poll loop woken once or twice) then no longer change AFL's bucket.
    /// </summary>
    public void FoldInto(Span<byte> target, bool hitCounts = true)
    {
        if (target.Length != Size) throw new ArgumentException($"the target map has {target.Length} bytes, not {Size}", nameof(target));
        var bytes = Bytes;
        var vectors = MemoryMarshal.Cast<byte, Vector<byte>>(bytes);
        var width = Vector<byte>.Count;
        for (var v = 0; v < vectors.Length; v++)
        {
            if (vectors[v] == Vector<byte>.Zero) continue;
            for (var i = v * width; i < (v + 1) * width; i++)
            {
                var count = bytes[i];
                if (count == 0) continue;
                var at = (i * Scramble) & (Size - 1);
                target[at] = (byte)Math.Min(255, target[at] + (hitCounts ? count : 1));
            }
        }
    }

    public void Dispose()
    {
        if (_address == IntPtr.Zero) return;
        _ = ShmDt(_address);
        _address = IntPtr.Zero;
    }

    // Blittable signatures only: DllImport marshals them without generated or unsafe code.
    [DllImport("libc", EntryPoint = "shmget", SetLastError = true)]
    private static extern int ShmGet(int key, nint size, int flags);

    [DllImport("libc", EntryPoint = "shmat", SetLastError = true)]
    private static extern IntPtr ShmAt(int id, IntPtr address, int flags);

    [DllImport("libc", EntryPoint = "shmdt", SetLastError = true)]
    private static extern int ShmDt(IntPtr address);

    [DllImport("libc", EntryPoint = "shmctl", SetLastError = true)]
    private static extern int ShmCtl(int id, int command, IntPtr buffer);
}
