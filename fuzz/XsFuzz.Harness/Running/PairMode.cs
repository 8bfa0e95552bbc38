namespace XsFuzz.Harness.Running;

/// <summary>Which side of a pair performs the scenario's live updates.</summary>
public enum PairMode
{
    /// <summary>The updated target performs every LIVE-UPDATE; the reference ignores them.</summary>
    LiveUpdate,
    /// <summary>
    /// Both perform them (`xsfuzz real diff`: a real daemon against the model): the first target updates,
    /// and when it did, the reference does too; a refused update is skipped on both.
    /// </summary>
    Diff,
}
