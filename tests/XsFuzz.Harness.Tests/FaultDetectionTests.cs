using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness.Tests;

public class FaultDetectionTests
{
    public static TheoryData<string> Faults() => new(FaultCatalog.All.Select(FaultCatalog.NameOf));

    /// <summary>
    /// Random mode finds every planted fault. The bound is generous on purpose (measured numbers, a few
    /// to a few tens of iterations, are in the harness note, not here).
    /// </summary>
    [Theory]
    [MemberData(nameof(Faults))]
    public void Check_detects_every_planted_fault(string name)
    {
        Assert.True(FaultCatalog.TryParse(name, out var fault));
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var result = RandomCheck.Run(seed, maxIterations: 3000, fault, HarnessOptions.Default);
            var failure = Assert.IsType<CheckFailure>(result.Failure);
            Assert.Null(failure.Crash);
            Assert.NotNull(failure.Disagreement);
        }
    }

    [Fact]
    public void Every_fault_has_a_name_and_description_that_round_trip()
    {
        foreach (var fault in Enum.GetValues<LiveUpdateFault>())
        {
            var name = FaultCatalog.NameOf(fault);
            Assert.Matches("^[a-z]+(-[a-z]+)*$", name);
            Assert.True(FaultCatalog.TryParse(name, out var back));
            Assert.Equal(fault, back);
            Assert.DoesNotContain("no description", FaultCatalog.Describe(fault));
        }
        Assert.Equal("perm-entry-lost", FaultCatalog.NameOf(LiveUpdateFault.PermEntryLost));
        Assert.False(FaultCatalog.TryParse("nope", out _));
    }
}
