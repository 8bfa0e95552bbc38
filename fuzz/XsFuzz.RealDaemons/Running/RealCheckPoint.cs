namespace XsFuzz.RealDaemons.Running;

/// <summary>Where the two sides of a real run were compared (the harness's check points, plus setup).</summary>
public enum RealCheckPoint
{
    /// <summary>A reply during the setup (INTRODUCE, SET_TARGET, initial WRITE/SET_PERMS).</summary>
    Setup,
    /// <summary>What the sender of a request read.</summary>
    Reply,
    /// <summary>What a DRAIN read.</summary>
    Drain,
    /// <summary>The live update itself failed (died, hung).</summary>
    LiveUpdate,
    /// <summary>The trees right after a live update.</summary>
    LiveUpdateState,
    /// <summary>The trees at the end.</summary>
    FinalState,
    /// <summary>What was still queued for a connection at the end.</summary>
    FinalDrain,
}
