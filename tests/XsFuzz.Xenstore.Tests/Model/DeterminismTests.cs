namespace XsFuzz.Xenstore.Tests.Model;

public class DeterminismTests
{
    [Fact]
    public void Same_requests_give_byte_identical_output_and_never_throw()
    {
        var first = new Xenstored();
        var second = new Xenstored();
        first.OpenSocket();
        second.OpenSocket();
        var requests = new RandomRequests(seed: 42);
        for (var i = 0; i < 5000; i++)
        {
            var (from, request) = requests.Next(first);
            first.Handle(from, request);
            second.Handle(from, request);
            foreach (var id in first.Connections)
                Assert.Equal(first.TakeOutput(id), second.TakeOutput(id));
        }
        Assert.Equal(XsFuzz.Xenstore.Migration.StateSnapshot.Of(first), XsFuzz.Xenstore.Migration.StateSnapshot.Of(second));
    }
}
