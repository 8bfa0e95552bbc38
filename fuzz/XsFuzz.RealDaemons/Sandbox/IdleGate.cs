using System.Diagnostics;
using System.IO.MemoryMappedFiles;
using System.Net.Sockets;

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
/// the run goes on as if there were no gate. A daemon that has exited is not waited for. Black-box
/// runs do without the waits (<c>wakeOnlyWhenIdle</c> false) and keep <see cref="Quiet"/>.
/// </para>
/// <para>
/// The same page tells a reader when to stop waiting for an answer (<see cref="Quiet"/>): a daemon
/// that has read everything we sent and gone idle since, and will not wake on its own (its poll
/// timeout) before our deadline, writes nothing before it. A reply that never comes (a ring the
/// daemon no longer serves) then costs about a millisecond, not the reply timeout, and the run ends
/// exactly as the timeout would have ended it.
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
    private readonly bool _wakeOnlyWhenIdle;
    private MemoryMappedFile? _file;
    private MemoryMappedViewAccessor? _view;
    private long _wokenIn = -1;     // the idle period in which we last woke the daemon

    /// <param name="runFolder">The daemon's run folder; its <c>idle</c> file may not exist yet.</param>
    /// <param name="wakeOnlyWhenIdle">Whether <see cref="BeforeWake"/> waits (false: <see cref="Quiet"/> only).</param>
    public IdleGate(string runFolder, ExitWatch? daemon, TimeSpan? bound = null, bool wakeOnlyWhenIdle = true)
    {
        _path = Path.Combine(runFolder, "idle");
        _daemon = daemon;
        _bound = bound ?? DefaultBound;
        _wakeOnlyWhenIdle = wakeOnlyWhenIdle;
    }

    /// <summary>False once a wait ran out: the gate then lets every wake through at once.</summary>
    public bool On { get; private set; } = true;

    /// <summary>
    /// Whether <see cref="BeforeWake"/> waits now: each request then reaches a daemon that has finished
    /// its last pass, written what it could and gone idle. A poller need not sleep between its calls,
    /// and what the daemon reports at that moment (the blockers of a live update) is what stays.
    /// </summary>
    public bool Gates => On && _wakeOnlyWhenIdle;

    /// <summary>How many times <see cref="Quiet"/> said yes (tests look at it).</summary>
    public int QuietAnswers { get; private set; }

    /// <summary>How long a reader may block before it asks <see cref="Quiet"/> again.</summary>
    public static readonly TimeSpan QuietSlice = TimeSpan.FromMilliseconds(1);

    /// <summary>What a reader with <paramref name="left"/> to wait blocks for before it asks <see cref="Quiet"/>.</summary>
    public TimeSpan Slice(TimeSpan left) => On && left > QuietSlice ? QuietSlice : left;

    /// <summary>Waits (bounded) until the daemon is idle in a period we have not woken it in yet.</summary>
    public void BeforeWake()
    {
        if (!On || !_wakeOnlyWhenIdle) return;
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

    /// <summary>
    /// Whether the daemon has read every byte we sent on <paramref name="ours"/> (socket slots, or the
    /// event channels that carry rings' kicks), has gone idle since, and will not wake on its own
    /// before <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp): then it does nothing
    /// before that deadline unless woken (writes no answer, does not die), and a reader, having read
    /// what is there, may stop. The order matters: the daemon marks itself busy before it reads, so
    /// an idle word read after the kernel shows our bytes read belongs to a period begun after that read.
    /// </summary>
    /// <param name="readIn">
    /// The <see cref="Period"/> in which the reader last took bytes off a socket, if it did. A daemon
    /// with more to write than the socket holds waits in poll() for room, and a read that makes room
    /// wakes it without any byte of ours for the kernel to count (a ring's reader kicks instead): until
    /// the daemon has left that period it may still write.
    /// </param>
    public bool Quiet(long deadline, IReadOnlyCollection<Socket> ours, long? readIn = null)
    {
        if (!On || _daemon is { Exited: true } || ours.Any(s => SocketQueue.Unread(s) != 0) || Word() is not { } word || (word & 1) == 0
            || word == readIn) return false;
        var until = _view!.ReadUInt64(UntilOffset);
        if (Word() != word) return false;   // a new period began while we read its timeout
        if (until != ulong.MaxValue && until < Nanoseconds(deadline)) return false;
        QuietAnswers++;
        return true;
    }

    /// <summary>The daemon's word now (its period and whether it is idle), for <see cref="Quiet"/>'s <c>readIn</c>.</summary>
    public long? Period() => On ? Word() : null;

    /// <summary>CLOCK_MONOTONIC nanoseconds, the clock of the shim's timeouts (Stopwatch's on Linux).</summary>
    private static ulong Nanoseconds(long timestamp) =>
        Stopwatch.Frequency == 1_000_000_000 ? (ulong)timestamp : (ulong)(timestamp * (1e9 / Stopwatch.Frequency));

    /// <summary>Word 1 of RUN/idle (scripts/real/idle.c).</summary>
    private const long UntilOffset = 8;

    /// <summary>The daemon's word 0, or null while its shim has not created the file.</summary>
    private long? Word()
    {
        if (_view is null)
        {
            if (!File.Exists(_path)) return null;
            try
            {
                _file = MemoryMappedFile.CreateFromFile(_path, FileMode.Open, mapName: null, PageSize, MemoryMappedFileAccess.ReadWrite);
                _view = _file.CreateViewAccessor(0, 16, MemoryMappedFileAccess.Read);
            }
            catch (IOException)
            {
                _view?.Dispose();
                _file?.Dispose();
                (_view, _file) = (null, null);
                return null;
            }
        }
        return _view.ReadInt64(0);
    }

    public void Dispose()
    {
        _view?.Dispose();
        _file?.Dispose();
    }
}
