using XsFuzz.TestSupport.Conformance;
using System.Text.Json.Nodes;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Tests.Conformance;

/// <summary>
/// Plays a trace against a fresh model the way xsclient.py plays it against a daemon, and returns
/// what xsclient would print: one JSON object per packet, with its kinds ("reply", "event", ...),
/// transaction id names and per-request grouping (requester first, then the others by name).
/// The model is synchronous, so everything a request causes is in the output queues right after
/// <see cref="Xenstored.Handle"/>; "sleep", "wait" and "drain" have nothing to wait for.
/// A connection named D&lt;domid&gt; is that domain's ring (scripts/xsclient-rings.py records such traces):
/// the model's connection of the introduced domain; a ring never reads as closed.
/// </summary>
public sealed class TraceReplayer
{
    private readonly Xenstored _xs = new();
    private readonly Dictionary<string, Client> _clients = new(StringComparer.Ordinal);
    private readonly TraceRecords _records = new();
    private readonly List<JsonObject> _output = [];

    /// <summary>One named socket of the trace (xsclient's Conn).</summary>
    private sealed class Client(string name, ConnectionId id)
    {
        public bool IsRing => Id.Kind == ConnectionKind.Ring;
        public string Name { get; } = name;
        public ConnectionId Id { get; } = id;
        public bool Closed { get; set; }
        /// <summary>Request ids whose reply never came (reported as "late_reply" if it does).</summary>
        public HashSet<uint> Pending { get; } = [];
    }

    public static IReadOnlyList<JsonObject> Run(IEnumerable<string> traceLines)
    {
        var replayer = new TraceReplayer();
        var n = 0;
        foreach (var raw in traceLines)
        {
            n++; // xsclient numbers every line, blank and comment lines included
            var text = raw.Trim();
            if (text.Length == 0 || text.StartsWith('#')) continue;
            var line = JsonNode.Parse(text) as JsonObject ?? throw new FormatException($"line {n}: not an object");
            try
            {
                replayer.Step(n, line);
            }
            catch (Exception e) when (e is not FormatException)
            {
                // Say which request the model failed on; the model's own exception stays inside.
                throw new InvalidOperationException($"model failed at trace line {n}: {text}", e);
            }
        }
        return replayer._output;
    }

    private void Step(int n, JsonObject line)
    {
        switch (line["cmd"]?.GetValue<string>())
        {
            case null:
                Request(n, TraceRequest.Parse(line, n, _records.TxByName));
                break;
            case "sleep" or "drain":
                break;
            case "close":
                var name = line["conn"] switch
                {
                    null => "A",
                    JsonValue v when v.TryGetValue(out string? s) => s,
                    var other => other.ToJsonString(), // xsclient uses str() of the JSON value
                };
                if (_clients.Remove(name, out var client) && !client.Closed) _xs.CloseConnection(client.Id);
                break;
            case var other:
                throw new FormatException($"line {n}: unknown cmd {other}");
        }
    }

    private void Request(int n, TraceRequest request)
    {
        var client = Open(request.Conn);
        _xs.Handle(client.Id, new Packet(request.Type, request.RequestId, request.TxId, request.Payload));

        // The requester's packets: the first non-event one carrying the request id is the reply.
        var got = false;
        foreach (var packet in _xs.TakeOutput(client.Id))
        {
            if (!got && !TraceRecords.IsWatchEvent(packet) && packet.RequestId == request.RequestId)
            {
                got = true;
                Report(n, client, packet, "reply", request.As);
            }
            else
            {
                Report(n, client, packet, TraceRecords.Classify(client.Pending, packet));
            }
        }
        if (NoticeClose(n, client)) got = true;
        if (!got)
        {
            _output.Add(new JsonObject
            {
                ["n"] = n, ["conn"] = client.Name, ["kind"] = "timeout", ["rid"] = request.RequestId,
            });
            client.Pending.Add(request.RequestId);
        }

        foreach (var other in _clients.Values.Where(c => c != client && !c.Closed)
                     .OrderBy(c => c.Name, StringComparer.Ordinal).ToList())
        {
            foreach (var packet in _xs.TakeOutput(other.Id)) Report(n, other, packet, TraceRecords.Classify(other.Pending, packet));
            NoticeClose(n, other);
        }
    }

    private Client Open(string name)
    {
        if (_clients.TryGetValue(name, out var client) && !client.Closed) return client;
        var ring = name.Length > 1 && name[0] == 'D' && name[1..].All(char.IsAsciiDigit)
            && int.TryParse(name[1..], System.Globalization.CultureInfo.InvariantCulture, out _);
        var id = ring ? ConnectionId.Ring(int.Parse(name[1..], System.Globalization.CultureInfo.InvariantCulture)) : _xs.OpenSocket();
        _clients[name] = client = new Client(name, id);
        return client;
    }

    /// <summary>A socket the model dropped reads as EOF: xsclient prints "closed" once.</summary>
    private bool NoticeClose(int n, Client client)
    {
        if (client.IsRing || client.Closed || _xs.Connections.Contains(client.Id)) return false;
        client.Closed = true;
        _output.Add(new JsonObject { ["n"] = n, ["conn"] = client.Name, ["kind"] = "closed" });
        return true;
    }

    private void Report(int n, Client client, Packet packet, string kind, string? startAs = null) =>
        _output.Add(_records.Record(n, client.Name, packet, kind, startAs));
}
