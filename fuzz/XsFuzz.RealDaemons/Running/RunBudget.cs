namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// A limit on one run's wall time. A daemon that hangs (alive, not answering) makes every step wait
/// out its reply timeout, and a run could then outlast afl-fuzz's -t, which kills SharpFuzz's
/// in-process target (its only process) and ends the campaign. When the budget is spent,
/// <c>abort</c> kills the run's daemons: every wait then ends at once (a socket's EOF, a ring's
/// <see cref="Sandbox.ExitWatch"/>) and the run returns, marked <see cref="Exceeded"/>.
/// </summary>
public sealed class RunBudget(TimeSpan budget, Action abort)
{
    private readonly Lock _gate = new();
    private bool _armed;

    /// <summary>Whether the last run was aborted.</summary>
    public bool Exceeded { get; private set; }

    public T Run<T>(Func<T> run)
    {
        lock (_gate)
        {
            _armed = true;
            Exceeded = false;
        }
        using var timer = new Timer(_ => Fire(), null, budget, Timeout.InfiniteTimeSpan);
        try
        {
            return run();
        }
        finally
        {
            // Under the lock: once disarmed, a late timer cannot touch the next run's daemons.
            lock (_gate) _armed = false;
        }
    }

    private void Fire()
    {
        lock (_gate)
        {
            if (!_armed) return;
            Exceeded = true;
            abort();
        }
    }
}
