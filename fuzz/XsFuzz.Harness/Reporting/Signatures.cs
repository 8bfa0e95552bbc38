namespace XsFuzz.Harness.Reporting;

/// <summary>
/// The one vocabulary of signatures, for every pair of targets: a signature names the step kind and the
/// shape of the difference, never values, so that one bug gives one signature everywhere (the
/// allow-list, fuzz/XsFuzz.RealDaemons/known-differences.txt, speaks it). "A" is the live-updated target
/// (or, in `real diff`, the real daemon), "B" the reference. The shapes themselves come from
/// <see cref="DeliveryShape"/> (packets), <see cref="SnapshotDiff"/> (model states) and
/// <see cref="WalkShape"/> (walked trees). Examples:
/// <code>
/// reply to WATCH: WATCH_EVENT missing in A
/// live update: state differs in [watch]
/// live update failed: daemon died: FATAL ...
/// A died: xenstored_core.c:2118: consider_message: Assertion ...
/// no live update done yet: reply to DEBUG watches: DEBUG payload
/// </code>
/// </summary>
internal static class Signatures
{
    public const string UpdateState = "live update: state differs in ";
    public const string EndState = "end: state differs in ";

    public static string UpdateFailed(string reason) => "live update failed: " + reason;

    public static string ReferenceUpdateFailed(string reason) => "model live update failed: " + reason;

    public static string Died(string side, string note) => side + " died: " + note;

    /// <summary>lu: a difference before any update happened means the targets are not deterministic (or a refused update was visible).</summary>
    public static string BeforeAnyUpdate(string shape) => "no live update done yet: " + shape;

    /// <summary>
    /// A difference after a guest's request that neither side answered: both daemons hold requests they
    /// never served, and whatever an update then does with them shows here (oxenstored's lost port,
    /// allow-list 019: the updated daemon serves them late).
    /// </summary>
    public static string AfterUnanswered(string shape) => shape + " (after a ring step neither side answered)";

    /// <summary>diff: a difference after the real daemon (and so the model) updated.</summary>
    public static string AfterUpdate(string shape) => shape + " (after a live update)";
}
