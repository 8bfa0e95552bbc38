using System.Diagnostics;
using System.IO.MemoryMappedFiles;

namespace XsFuzz.RealDaemons.Sandbox;

/// <summary>
/// Wakes a daemon only when it is waiting for us: before each write to its sockets, each kick of a
/// ring and each new connection, <see cref="BeforeWake"/> waits until the daemon is blocked in poll()
/// with nothing ready and has gone idle again since the last wake. Each wake then finds the daemon
/// at the same point of its main loop, whatever the scheduler did, so its branches (and AFL's map)
/// do not depend on whether the daemon had finished its last pass. The daemon publishes its state in
/// <c>RUN/idle</c> (scripts/real/idle.c: bit 0 idle, the rest a count of idle periods).
/// <para>
/// A wait is bounded: a daemon that does not go idle in time (a wake it ignores, a long restore, a
/// machine under load) turns the gate off for the rest of its life, so one miss costs one bound, and
/// the run goes on as if there were no gate. A daemon that has exited is not waited for.
/// </para>
/// </summary>
public sealed class IdleGate : IDisposable
{
    /// <summary>Far above the microseconds a daemon takes to finish a pass, and a live update's re-exec.</summary>
    public static readonly TimeSpan DefaultBound = TimeSpan.FromMilliseconds(200);

    private const long PageSize = 4096;

    private readonly string _path;
    private readonly ExitWatch? _daemon;
    private readonly TimeSpan _bound;
    private MemoryMappedFile? _file;
    private MemoryMappedViewAccessor? _word;
    private long _wokenIn = -1;     // the idle period in which we last woke the daemon

    /// <param name="runFolder">The daemon's run folder; its <c>idle</c> file may not exist yet.</param>
    public IdleGate(string runFolder, ExitWatch? daemon, TimeSpan? bound = null)
    {
        _path = Path.Combine(runFolder, "idle");
        _daemon = daemon;
        _bound = bound ?? DefaultBound;
    }

    /// <summary>False once a wait ran out: the gate then lets every wake through at once.</summary>
    public bool On { get; private set; } = true;

    /// <summary>Waits (bounded) until the daemon is idle in a period we have not woken it in yet.</summary>
    public void BeforeWake()
    {
        if (!On) return;
        var deadline = Stopwatch.GetTimestamp() + (long)(_bound.TotalSeconds * Stopwatch.Frequency);
        var spin = new SpinWait();
        while (true)
        {
            if (Word() is { } word && (word & 1) == 1 && word >> 1 != _wokenIn)
            {
                _wokenIn = word >> 1;
                return;
            }
            if (_daemon is { Exited: true }) return;
            if (Stopwatch.GetTimestamp() > deadline)
            {
                On = false;
                return;
            }
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>The daemon's word, or null while its shim has not created the file.</summary>
    private long? Word()
    {
        if (_word is null)
        {
            if (!File.Exists(_path)) return null;
            try
            {
                _file = MemoryMappedFile.CreateFromFile(_path, FileMode.Open, mapName: null, PageSize, MemoryMappedFileAccess.ReadWrite);
                _word = _file.CreateViewAccessor(0, 8, MemoryMappedFileAccess.Read);
            }
            catch (IOException)
            {
                _file?.Dispose();
                _file = null;
                return null;
            }
        }
        return _word.ReadInt64(0);
    }

    public void Dispose()
    {
        _word?.Dispose();
        _file?.Dispose();
    }
}
