namespace XsFuzz.Harness.Running;

public enum LiveUpdateStatus
{
    /// <summary>The target re-executed itself (or restored its dump) and answers again.</summary>
    Done,
    /// <summary>The daemon declined (open transactions, unread output, SET_TARGET ...) and carries on un-updated.</summary>
    Refused,
    /// <summary>It died, hung, threw or answered nonsense: that is a finding.</summary>
    Failed,
}

/// <summary>
/// How a live update went. <see cref="Reason"/> is value-free (it names why, without connection names
/// or numbers), so it groups; <see cref="Detail"/> is the daemon's own text.
/// </summary>
public sealed record LiveUpdateResult(LiveUpdateStatus Status, string Reason, string Detail)
{
    public static LiveUpdateResult Done { get; } = new(LiveUpdateStatus.Done, "", "");

    public static LiveUpdateResult Threw(Exception e) =>
        new(LiveUpdateStatus.Failed, "threw " + e.GetType().Name, e.ToString());
}
