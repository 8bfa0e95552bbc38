using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// The first point where the two sides of a real run disagreed: what was compared, what each side
/// read (or its state walk), and the value-free signature that groups equal disagreements.
/// </summary>
public sealed record RealDivergence(
    RealCheckPoint Point,
    int Step,
    Command? Command,
    int? Slot,
    Delivery? A,
    Delivery? B,
    string? StateA,
    string? StateB,
    string? Failure,
    string Signature);
