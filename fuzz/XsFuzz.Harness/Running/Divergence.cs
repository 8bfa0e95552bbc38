using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Running;

/// <summary>
/// The first point where the live-updated target and the reference disagreed: what was compared, what
/// each side read (or its state, as text), and the value-free <see cref="Signature"/> that groups equal
/// failures (see <see cref="Reporting.Signatures"/>).
/// </summary>
public sealed record Divergence(
    CheckPoint Point,
    int Step,
    Command? Command,
    ConnectionId? Connection,
    Delivery? Updated,
    Delivery? Reference,
    string? StateUpdated,
    string? StateReference,
    string? Failure,
    string Signature);
