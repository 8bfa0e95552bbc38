using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Shrinking;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness.Tests;

public class ShrinkTests
{
    public static TheoryData<LiveUpdateFault> SomeFaults() =>
        new(LiveUpdateFault.WatchRelativeLost, LiveUpdateFault.PendingEventDropped, LiveUpdateFault.TransactionWritesLost,
            LiveUpdateFault.PermEntryLost, LiveUpdateFault.QuotaRecomputed);

    [Theory]
    [MemberData(nameof(SomeFaults))]
    public void Shrunk_input_still_fails_the_same_way_and_is_smaller(LiveUpdateFault fault)
    {
        var options = HarnessOptions.Default;
        var found = RandomCheck.Run(seed: 1, maxIterations: 3000, fault, options).Failure;
        var original = Assert.IsType<Disagreement>(found?.Disagreement);

        var result = Shrinker.Shrink(original.Input, fault, options);

        Assert.True(result.Input.Length < original.Input.Length, $"{result.Input.Length} >= {original.Input.Length}");
        Assert.True(result.Shrunk.Commands.Count <= original.Scenario.Commands.Count);
        Assert.Equal(original.Signature, result.Signature);
        var again = Assert.Throws<Disagreement>(() => Agreement.Check(result.Input, fault, options));
        Assert.Equal(original.Signature, again.Signature);
        Assert.Equal(result.Shrunk, again.Scenario);
    }

    [Fact]
    public void A_passing_input_cannot_be_shrunk()
    {
        Assert.Throws<InvalidOperationException>(() => Shrinker.Shrink([1, 2, 3], LiveUpdateFault.None, HarnessOptions.Default));
    }
}
