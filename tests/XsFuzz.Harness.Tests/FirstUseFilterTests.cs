using SharpFuzz.Common;
using XsFuzz.Cli.Commands;

namespace XsFuzz.Harness.Tests;

/// <summary>
/// Every run of an input under the persistent-mode targets starts from the same previous-block
/// register, whatever the input before it did: otherwise its first edge lands on a map byte chosen
/// by where that input stopped, and afl-fuzz counts the byte as variable.
/// </summary>
[Collection(SharpFuzzTraceCollection.Name)]
public sealed class FirstUseFilterTests
{
    [Fact]
    public void A_run_starts_from_block_zero_whatever_the_last_input_left()
    {
        var filter = new FirstUseFilter();
        var seen = new List<int>();
        FirstUseFilter.Map().Clear();  // nothing new: each input runs once
        Trace.PrevLocation = 0x1234;   // where an earlier input stopped
        filter.Run(() => seen.Add(Trace.PrevLocation));
        Trace.PrevLocation = 0x0777;
        filter.Run(() => seen.Add(Trace.PrevLocation));
        Assert.Equal([0, 0], seen);
    }

    [Fact]
    public void The_second_run_after_a_new_edge_starts_from_block_zero_too()
    {
        var filter = new FirstUseFilter();
        var seen = new List<int>();
        var firstByte = 0x4321;
        FirstUseFilter.Map().Clear();
        Trace.PrevLocation = 0x1234;
        filter.Run(() =>
        {
            seen.Add(Trace.PrevLocation);
            var map = FirstUseFilter.Map();
            map[firstByte] = 1;            // an edge this filter has not seen: the input runs again
            Trace.PrevLocation = 0x55;     // as the run's last block would leave it
        });
        Assert.Equal([0, 0], seen);
        FirstUseFilter.Map().Clear();
    }
}

/// <summary>The tests that set SharpFuzz's static trace registers run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SharpFuzzTraceCollection
{
    public const string Name = "SharpFuzz trace registers";
}
