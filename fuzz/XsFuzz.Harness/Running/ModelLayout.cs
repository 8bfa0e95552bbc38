using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Running;

/// <summary>
/// How a <see cref="ModelTarget"/> presents itself. Plain: the scenario's sockets, and its connections as
/// they are. Against a real daemon (`xsfuzz real diff`) the model must look like the sandbox's daemon
/// instead: the same sockets opened in the same order (so connection names agree), dom0 speaking through
/// one of them, the walker on another, and the runner's sync point after every request, as the real
/// daemon gets it.
/// </summary>
/// <param name="Sockets">Sockets opened at start, in order (S1, S2, ...).</param>
/// <param name="Dom0">Where the scenario's D0 speaks: dom0's ring, or a socket.</param>
/// <param name="Walker">The socket <see cref="ModelTarget.Walk"/> reads through; null: the model walks itself.</param>
/// <param name="SyncPoints">Send <see cref="SyncPoint"/> after every request and drain, as the real runner does.</param>
public sealed record ModelLayout(int Sockets, ConnectionId Dom0, ConnectionId? Walker, bool SyncPoints)
{
    public static ModelLayout Plain { get; } = new(Scenario.Sockets, Xenstore.Xenstored.Dom0, null, false);
}
