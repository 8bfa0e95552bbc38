using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Tests.Migration;

/// <summary>
/// Two daemons fed the same requests; <see cref="Updated"/> is live-updated whenever asked, the
/// other never. Every request's output must be identical on both, and so must the state after each
/// update.
/// </summary>
internal sealed class Twin
{
    private uint _rid = 1;

    public Twin(XenstoredConfig? config = null)
    {
        Updated = new Xenstored(config);
        Reference = new Xenstored(config);
        A = Updated.OpenSocket();
        Assert.Equal(A, Reference.OpenSocket());
    }

    public Xenstored Updated { get; private set; }
    public Xenstored Reference { get; }
    public ConnectionId A { get; }
    public int Updates { get; private set; }

    public string Do(ConnectionId from, Op op, uint tx, params string[] args) =>
        Send(from, Packet.Request(op, _rid++, tx, args));

    public string Write(ConnectionId from, string path, string value, uint tx = 0) =>
        Send(from, Packet.WriteRequest(_rid++, tx, path, Latin1.Encode(value)));

    public string Send(ConnectionId from, Packet request)
    {
        Updated.Handle(from, request);
        Reference.Handle(from, request);
        var got = Tests.Model.Session.Render(Updated.TakeOutput(from));
        Assert.Equal(Tests.Model.Session.Render(Reference.TakeOutput(from)), got);
        return got;
    }

    /// <summary>Live-updates one side and checks that nothing observable changed.</summary>
    public void LiveUpdate()
    {
        var before = StateSnapshot.Of(Updated);
        Updated = Updated.LiveUpdate();
        Updates++;
        Assert.Equal(before.Text, StateSnapshot.Of(Updated).Text);
        Assert.Equal(StateSnapshot.Of(Reference).Text, StateSnapshot.Of(Updated).Text);
    }

    /// <summary>Everything still queued anywhere must match too.</summary>
    public void DrainAndCompare()
    {
        Assert.Equal(Reference.Connections, Updated.Connections);
        foreach (var id in Reference.Connections)
            Assert.Equal(Tests.Model.Session.Render(Reference.TakeOutput(id)), Tests.Model.Session.Render(Updated.TakeOutput(id)));
        Assert.Equal(StateSnapshot.Of(Reference).Text, StateSnapshot.Of(Updated).Text);
    }
}
