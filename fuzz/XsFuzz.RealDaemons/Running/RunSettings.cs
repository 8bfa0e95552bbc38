namespace XsFuzz.RealDaemons.Running;

/// <summary>Timeouts and live-update flags of real runs.</summary>
public sealed record RunSettings
{
    /// <summary>How long a step waits for its sync point before it records a timeout.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a daemon may take to start listening.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a live update may take beyond its own wait before it counts as hung.</summary>
    public TimeSpan LiveUpdateTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The <c>-t</c> of oxenstored's <c>live-update -s</c> over the control socket: seconds the daemon
    /// waits for blockers to go away. It needs at least 1: it checks for blockers right after queueing
    /// the update, while its own BUSY reply is still unsent output on the control connection, and with
    /// 0 it gives up at once. Behind the idle gate it is asked with 0 first, and with this only when its
    /// own reply was the one blocker (<see cref="OxenstoredLiveUpdate.Perform"/>). The C daemon answers
    /// only after the update, and is always asked with 0.
    /// </summary>
    public int OxenstoredWaitSeconds { get; init; } = 1;

    /// <summary>
    /// Ask oxenstored for its live update over dom0's ring with <c>-t 0</c> (the default) instead of over
    /// the control socket with <see cref="OxenstoredWaitSeconds"/>: a refusal is answered at once, not
    /// after the wait, with the same blockers (see <see cref="OxenstoredRingLiveUpdate"/>).
    /// </summary>
    public bool OxenstoredUpdateOverRing { get; init; } = true;

    /// <summary>
    /// Pass <c>-F</c> to the C daemon: update even with open transactions (which it then drops).
    /// Not offered for oxenstored, whose <c>-F</c> only postpones the update until the transactions
    /// end, which a scenario cannot wait for.
    /// </summary>
    public bool ForceXenstored { get; init; }

    /// <summary>Keep the run folders (logs) of the daemons instead of deleting them.</summary>
    public bool KeepRunFolders { get; init; }

    /// <summary>
    /// Start the two daemons of an lu run at once, B's on a thread-pool thread (wall time), or one after
    /// the other on the caller's thread. The AFL target needs the latter: SharpFuzz records an edge as
    /// the pair (previous location, this location) with one static previous location for all threads,
    /// so instrumented code (sync points, packets) on two threads at once writes edges that depend on
    /// the interleaving: unstable map bytes.
    /// </summary>
    public bool StartSidesInParallel { get; init; } = true;

    /// <summary>
    /// Wake a daemon (a write, a kick, a connection) only when it is idle in poll() and has gone idle
    /// since the last wake (<see cref="Sandbox.IdleGate"/>). The AFL target needs it: a request that
    /// lands while the daemon still finishes its last pass takes other branches than one that wakes
    /// it, and which happens depends on the scheduler (unstable map bytes). With it or without, the
    /// daemon's idle word ends the waits that nothing will end (<see cref="Sandbox.IdleGate.Quiet"/>).
    /// </summary>
    public bool WakeOnlyWhenIdle { get; init; }

    public static RunSettings Default { get; } = new();
}
