namespace XsFuzz.Xenstore.Processing;

/// <summary>
/// The CONTROL <c>live-update</c> state machine of spec §9.1: a queued update (<c>-s</c>) and a stored
/// result delivered once. The model has no clock, so the <c>-t</c> deadline is kept but never expires;
/// whoever runs the daemon performs the queued update (see <see cref="Xenstored.LiveUpdatePending"/>).
/// </summary>
internal sealed record UpdateRequest(bool Pending, bool Force, long TimeoutSeconds, IReadOnlyList<string> Result,
    string Binary, IReadOnlyList<string> ExtraArguments)
{
    public static readonly UpdateRequest Idle = new(false, false, 60, [], "/usr/sbin/oxenstored", []);
}
