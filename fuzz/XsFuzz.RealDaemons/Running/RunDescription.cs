using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.RealDaemons.Running;

/// <summary>What a report is about: the mode, the daemon, and the names of both sides.</summary>
public sealed record RunDescription(PairMode Mode, DaemonKind Kind)
{
    public string Command => Mode == PairMode.LiveUpdate ? "lu" : "diff";
    public string LabelA => Mode == PairMode.LiveUpdate ? $"A (live-updated {Kind.Name()})" : $"A (real {Kind.Name()})";
    public string LabelB => Mode == PairMode.LiveUpdate ? $"B (reference {Kind.Name()})" : "B (model)";

    public string Headline => Mode == PairMode.LiveUpdate
        ? $"LIVE UPDATE WAS VISIBLE on the real {Kind.Name()}: the live-updated daemon (A) and the reference (B) disagree"
        : $"THE MODEL DIFFERS FROM THE REAL {Kind.Name()}: the real daemon (A) and the model (B) disagree";

    /// <summary>The configuration <c>--config</c> pinned (a variant's name or a file), or null: each input's own.</summary>
    public string? Config { get; init; }

    /// <summary>The command line that reruns an input on real daemons.</summary>
    public string Reproducer(string base64) =>
        $"xsfuzz real {Command} --daemon {Kind.Name()}{(Config is null ? "" : $" --config {Config}")} --base64 {base64}";
}
