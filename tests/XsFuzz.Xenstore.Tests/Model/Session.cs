using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Tests.Model;

/// <summary>
/// A model daemon with a compact request/answer notation for tests: each packet a connection received
/// renders as <c>TYPE "payload"</c> (with <c>tx=N</c> when non-zero), packets separated by " | ".
/// </summary>
internal sealed class Session
{
    private uint _rid = 1;

    public Session(XenstoredConfig? config = null)
    {
        Xs = new Xenstored(config);
        A = Xs.OpenSocket();
    }

    public Xenstored Xs { get; }
    /// <summary>A dom0 socket connection, like the oracle's trace client.</summary>
    public ConnectionId A { get; }

    public static ConnectionId D(int domid) => ConnectionId.Ring(domid);

    /// <summary>Sends a request whose arguments are each NUL-terminated; returns what the sender received.</summary>
    public string Do(ConnectionId from, Op op, params string[] args) => Send(from, Packet.Request(op, _rid++, 0, args));

    public string DoTx(ConnectionId from, uint tx, Op op, params string[] args) => Send(from, Packet.Request(op, _rid++, tx, args));

    /// <summary>WRITE path value, the value sent verbatim.</summary>
    public string Write(ConnectionId from, string path, string value, uint tx = 0) =>
        Send(from, Packet.WriteRequest(_rid++, tx, path, Latin1.Encode(value)));

    /// <summary>A raw payload (Latin-1 string, NULs as \0).</summary>
    public string Raw(ConnectionId from, uint type, string payload, uint tx = 0) =>
        Send(from, new Packet(type, _rid++, tx, Latin1.Encode(payload)));

    public string Send(ConnectionId from, Packet request)
    {
        Xs.Handle(from, request);
        return Take(from);
    }

    /// <summary>Everything queued for a connection since it last looked.</summary>
    public string Take(ConnectionId who) => Render(Xs.TakeOutput(who));

    public static string Render(IEnumerable<Packet> packets) => string.Join(" | ", packets.Select(Render));

    /// <summary>Introduces domain n with mfn 1000+n and port 10+n, as the spec's examples do.</summary>
    public void Introduce(int domid) =>
        Assert.Equal("INTRODUCE \"OK\\x00\"", Do(A, Op.Introduce, $"{domid}", $"{1000 + domid}", $"{10 + domid}"));

    /// <summary>Makes /local/domain/n owned by n (what a toolstack does), readable by nobody else.</summary>
    public void Home(int domid)
    {
        Do(A, Op.Mkdir, $"/local/domain/{domid}");
        Do(A, Op.SetPerms, $"/local/domain/{domid}", $"n{domid}");
    }

    public static string Render(Packet p) =>
        OpNames.Name(p.Type) + (p.TxId != 0 ? $" tx={p.TxId}" : "") + " " + Latin1.Quote(p.Payload);

    public static string Ok(string op) => op + " \"OK\\x00\"";
    public static string Err(string name) => $"ERROR \"{name}\\x00\"";
    public static string Event(string path, string token) => $"WATCH_EVENT \"{path}\\x00{token}\\x00\"";
}
