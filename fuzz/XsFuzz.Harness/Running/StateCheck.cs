using XsFuzz.Harness.Reporting;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness.Running;

/// <summary>Two states that differ: their texts (for the report's diff) and the value-free shape (for the signature).</summary>
public sealed record StateDifference(string Updated, string Reference, string Shape, string? Failure = null);

/// <summary>How a pair compares the two targets' states after a live update and at the end.</summary>
public abstract class StateCheck
{
    /// <summary>Null when the states are the same.</summary>
    public abstract StateDifference? Compare(ITarget updated, ITarget reference);

    /// <summary>
    /// Two models: field by field (<see cref="StateComparer"/>, the hot path), rendering the snapshots
    /// only to explain a difference. Everything the restore rebuilds is compared, not only what a
    /// client could see.
    /// </summary>
    public static StateCheck Models { get; } = new ModelStates();

    /// <summary>Any targets: the trees as clients see them (<see cref="StateWalk"/>).</summary>
    public static StateCheck Walks { get; } = new WalkedStates();

    private sealed class ModelStates : StateCheck
    {
        public override StateDifference? Compare(ITarget updated, ITarget reference)
        {
            var u = ((ModelTarget)updated).Daemon;
            var r = ((ModelTarget)reference).Daemon;
            string textU;
            try
            {
                if (StateComparer.Same(u, r)) return null;
                textU = StateSnapshot.Of(u).Text;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return new StateDifference("(its snapshot threw)", StateSnapshot.Of(r).Text, "snapshot threw " + e.GetType().Name, e.ToString());
            }
            var textR = StateSnapshot.Of(r).Text;
            return new StateDifference(textU, textR, SnapshotDiff.Shape(textU, textR));
        }
    }

    private sealed class WalkedStates : StateCheck
    {
        public override StateDifference? Compare(ITarget updated, ITarget reference)
        {
            var walkU = updated.Walk();
            var walkR = reference.Walk();
            return walkU == walkR ? null : new StateDifference(walkU, walkR, WalkShape.Describe(walkU, walkR));
        }
    }
}
