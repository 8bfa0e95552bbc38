using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Harness.Shrinking;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness.Tests;

public class ShrinkTests
{
    /// <summary>
    /// For every planted fault: the first failure `xsfuzz check --seed 1` finds, shrunk, must give exactly
    /// this scenario and this many input bytes (the minima HARNESS.md quotes). A change of the decoder, the
    /// encoder or the shrinker that makes any of them worse shows here.
    /// </summary>
    public static TheoryData<LiveUpdateFault, string, int> Minima() => new()
    {
        { LiveUpdateFault.PermEntryLost, "node / \"\" n0 n0\nLIVE-UPDATE", 12 },
        { LiveUpdateFault.EmptyLeafDropped, "LIVE-UPDATE", 1 },
        { LiveUpdateFault.QuotaRecomputed, "D0 tx0 RM /\nLIVE-UPDATE", 3 },
        { LiveUpdateFault.WatchRelativeLost, "D0 tx0 WATCH a t0\nLIVE-UPDATE", 5 },
        { LiveUpdateFault.TransactionWritesLost, "D0 tx0 TRANSACTION_START\nD0 tx1 MKDIR /\nLIVE-UPDATE", 9 },
        { LiveUpdateFault.PendingEventDropped, "listener 4\nD0 tx0 SET_PERMS @introduceDomain n0\nLIVE-UPDATE", 9 },
        { LiveUpdateFault.DomainTargetLost, "D0 tx0 SET_TARGET 0 0\nLIVE-UPDATE", 3 },
        { LiveUpdateFault.WatchOrderReversed, "listener 4\nD0 tx0 WATCH / t0\nLIVE-UPDATE", 7 },
        { LiveUpdateFault.TxCounterReset, "D0 tx0 TRANSACTION_START\nLIVE-UPDATE", 3 },
        { LiveUpdateFault.NodeIdentityLost, "LIVE-UPDATE", 1 },
    };

    [Theory]
    [MemberData(nameof(Minima))]
    public void The_first_failure_of_seed_1_shrinks_to_its_known_minimum(LiveUpdateFault fault, string minimal, int bytes)
    {
        var options = HarnessOptions.Default;
        var found = RandomCheck.Run(seed: 1, maxIterations: 3000, fault, options).Failure;
        var original = Assert.IsType<Disagreement>(found?.Disagreement);

        var result = Shrinker.Shrink(original.Input, fault, options);

        Assert.Equal(ScenarioText.Header + "\n" + minimal + "\n", ScenarioText.Print(result.Shrunk));
        Assert.Equal(bytes, result.Input.Length);
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
