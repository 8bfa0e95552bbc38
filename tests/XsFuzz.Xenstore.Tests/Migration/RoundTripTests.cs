using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Tests.Model;

namespace XsFuzz.Xenstore.Tests.Migration;

public class RoundTripTests
{
    /// <summary>
    /// Seeded random request streams with live updates at random points: every reply and event of
    /// the updated daemon equals the reference's, and the states stay equal.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Random_streams_with_updates_match_the_reference(int seed)
    {
        var twin = new Twin();
        var requests = new RandomRequests(seed);
        var random = new Random(seed);
        var openAtUpdate = 0;
        for (var i = 0; i < 800; i++)
        {
            var (from, request) = requests.Next(twin.Reference);
            twin.Send(from, request);
            if (random.Next(10) == 0)
            {
                openAtUpdate += twin.Reference.Connections.Sum(c => twin.Reference.OpenTransactions(c).Count);
                twin.LiveUpdate();
            }
        }
        twin.DrainAndCompare();
        Assert.True(twin.Updates > 0);
        Assert.True(openAtUpdate > 0, "no transaction was open at any update");
    }

    [Fact]
    public void Restore_of_a_dump_has_the_same_snapshot()
    {
        var daemon = new Xenstored();
        daemon.OpenSocket();
        var requests = new RandomRequests(99);
        for (var i = 0; i < 2000; i++)
        {
            var (from, request) = requests.Next(daemon);
            daemon.Handle(from, request);
            if (i % 3 == 0) daemon.TakeOutput(from);
            if (i % 100 != 0) continue;
            var restored = daemon.LiveUpdate();
            Assert.Equal(StateSnapshot.Of(daemon), StateSnapshot.Of(restored));
            Assert.True(StateComparer.Same(daemon, restored));
        }
    }
}
