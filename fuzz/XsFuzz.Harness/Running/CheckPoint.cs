namespace XsFuzz.Harness.Running;

/// <summary>Where in a run the two targets were compared.</summary>
public enum CheckPoint
{
    /// <summary>A reply during the setup (INTRODUCE, SET_TARGET, initial WRITE/SET_PERMS, sent by dom0).</summary>
    Setup,
    /// <summary>What the sender of a request read.</summary>
    Reply,
    /// <summary>What a DRAIN read.</summary>
    Drain,
    /// <summary>The live update itself failed (threw, died, hung).</summary>
    LiveUpdate,
    /// <summary>The states right after a live update.</summary>
    LiveUpdateState,
    /// <summary>The states at the end of the scenario.</summary>
    FinalState,
    /// <summary>What was still queued for a connection at the end.</summary>
    FinalDrain,
}
