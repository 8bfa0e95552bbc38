using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using XsFuzz.TestSupport.Conformance;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Serve.Tests.Conformance;

/// <summary>
/// Plays a trace over a real socket the way the oracle's xsclient.py does (one socket per "conn", the
/// reply is the first non-event packet with the request's rid, events and late replies reported,
/// transaction ids named, output grouped per request: the requester first, then the others by name)
/// and returns what it would print.
/// <para>
/// One difference, for speed only: xsclient waits a fixed time after each reply for packets that other
/// connections may still receive. Here the recording says how many packets each trace line produced,
/// so the player waits until that many have arrived (at most <see cref="SettleLimit"/>), then only
/// polls briefly for extra ones. A missing or surplus packet still shows up as a difference.
/// </para>
/// </summary>
public sealed class SocketTracePlayer(string socketPath, Func<int, int> expectedPackets)
{
    private static readonly TimeSpan DefaultReplyTimeout = TimeSpan.FromSeconds(5); // xsclient's --timeout
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ExtraPoll = TimeSpan.FromMilliseconds(5);

    private readonly Dictionary<string, Conn> _conns = new(StringComparer.Ordinal);
    private readonly TraceRecords _records = new();
    private readonly List<JsonObject> _pending = []; // xsclient's outbuf
    private readonly List<JsonObject> _printed = [];
    private readonly Dictionary<int, int> _recordsPerLine = [];
    private int _n;

    private sealed class Conn(string name, Socket socket)
    {
        public string Name { get; } = name;
        public Socket Socket { get; } = socket;
        public List<byte> Buffer { get; } = [];
        public bool Closed { get; set; }
        public HashSet<uint> Pending { get; } = [];
    }

    public IReadOnlyList<JsonObject> Run(IEnumerable<string> traceLines)
    {
        try
        {
            foreach (var raw in traceLines)
            {
                _n++;
                var text = raw.Trim();
                if (text.Length == 0 || text.StartsWith('#')) continue;
                var line = JsonNode.Parse(text) as JsonObject ?? throw new FormatException($"line {_n}: not an object");
                switch (line["cmd"]?.GetValue<string>())
                {
                    case null:
                        Request(line, TraceRequest.Parse(line, _n, _records.TxByName));
                        break;
                    case "sleep":
                        Thread.Sleep(TimeSpan.FromSeconds(Seconds(line["s"], 0.1)));
                        break;
                    case "drain":
                        Settle(TimeSpan.FromSeconds(Seconds(line["s"], 0.2)));
                        Flush(null);
                        break;
                    case "close":
                        var name = line["conn"]?.ToString() ?? "A";
                        if (_conns.Remove(name, out var conn)) conn.Socket.Dispose();
                        break;
                    case var other:
                        throw new FormatException($"line {_n}: unknown cmd {other}");
                }
            }
            Settle(TimeSpan.FromMilliseconds(50)); // anything late at the very end is a difference too
            Flush(null);
            return _printed;
        }
        finally
        {
            foreach (var conn in _conns.Values) conn.Socket.Dispose();
        }
    }

    private void Request(JsonObject line, TraceRequest request)
    {
        var c = Open(request.Conn);
        var header = new byte[Packet.HeaderSize];
        Packet.WriteHeader(header, request.Type, request.RequestId, request.TxId, (uint)request.Payload.Length);
        try
        {
            c.Socket.Send([.. header, .. request.Payload]);
        }
        catch (SocketException e)
        {
            // Like xsclient: reported, and the output stays buffered until the next flush.
            Add(new JsonObject { ["n"] = _n, ["conn"] = c.Name, ["kind"] = "send_error", ["error"] = PythonError(e) });
            c.Closed = true;
            return;
        }

        var deadline = DateTime.UtcNow + (line["timeout"] is { } t ? TimeSpan.FromSeconds(Seconds(t, 5)) : DefaultReplyTimeout);
        var got = false;
        while (!got)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                Add(new JsonObject { ["n"] = _n, ["conn"] = c.Name, ["kind"] = "timeout", ["rid"] = request.RequestId });
                c.Pending.Add(request.RequestId);
                break;
            }
            foreach (var cc in Readable(left))
            {
                foreach (var packet in ReadPackets(cc))
                {
                    if (cc == c && !TraceRecords.IsWatchEvent(packet) && !got && packet.RequestId == request.RequestId)
                    {
                        got = true;
                        Report(cc, packet, "reply", request.As);
                    }
                    else
                    {
                        Report(cc, packet, TraceRecords.Classify(cc.Pending, packet));
                    }
                }
                if (cc.Closed)
                {
                    Add(new JsonObject { ["n"] = _n, ["conn"] = cc.Name, ["kind"] = "closed" });
                    if (cc == c) got = true;
                }
            }
        }
        Settle(TimeSpan.FromSeconds(Seconds(line["wait"], 0)));
        Flush(c.Name);
    }

    /// <summary>
    /// Waits until this line has produced as many packets as the recording says (or the limit), then
    /// takes whatever else is already there. <paramref name="atLeast"/> is a trace's explicit wait.
    /// </summary>
    private void Settle(TimeSpan atLeast)
    {
        var start = DateTime.UtcNow;
        var limit = start + (atLeast > SettleLimit ? atLeast : SettleLimit);
        while (_recordsPerLine.GetValueOrDefault(_n) < expectedPackets(_n) && DateTime.UtcNow < limit)
            DrainOnce(limit - DateTime.UtcNow);
        while (DrainOnce(ExtraPoll)) { }
    }

    /// <summary>One select over the open connections; reports what arrived. False if nothing did.</summary>
    private bool DrainOnce(TimeSpan wait)
    {
        var ready = Readable(wait);
        foreach (var cc in ready)
        {
            foreach (var packet in ReadPackets(cc)) Report(cc, packet, TraceRecords.Classify(cc.Pending, packet));
            if (cc.Closed) Add(new JsonObject { ["n"] = _n, ["conn"] = cc.Name, ["kind"] = "closed" });
        }
        return ready.Count > 0;
    }

    private List<Conn> Readable(TimeSpan wait)
    {
        var open = _conns.Values.Where(c => !c.Closed).OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        if (open.Count == 0) return [];
        var sockets = open.Select(c => c.Socket).ToList();
        var micros = (int)Math.Clamp(wait.TotalMicroseconds, 0, int.MaxValue);
        Socket.Select(sockets, null, null, micros);
        return open.Where(c => sockets.Contains(c.Socket)).ToList();
    }

    private static List<Packet> ReadPackets(Conn c)
    {
        var chunk = new byte[65536];
        int read;
        try { read = c.Socket.Receive(chunk); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { read = 0; }
        if (read == 0)
        {
            c.Closed = true;
            return [];
        }
        c.Buffer.AddRange(chunk.AsSpan(0, read));
        var packets = new List<Packet>();
        while (c.Buffer.Count >= Packet.HeaderSize)
        {
            var header = c.Buffer.GetRange(0, Packet.HeaderSize).ToArray();
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
            if (c.Buffer.Count < Packet.HeaderSize + length) break;
            packets.Add(new Packet(BinaryPrimitives.ReadUInt32LittleEndian(header),
                BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)),
                BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)),
                c.Buffer.GetRange(Packet.HeaderSize, length).ToArray()));
            c.Buffer.RemoveRange(0, Packet.HeaderSize + length);
        }
        return packets;
    }

    private Conn Open(string name)
    {
        if (_conns.TryGetValue(name, out var c) && !c.Closed) return c;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        return _conns[name] = new Conn(name, socket);
    }

    /// <summary>Prints the buffered records: the requester's first (in arrival order), then the others by name.</summary>
    private void Flush(string? primary)
    {
        var ordered = _pending
            .Select((record, index) => (record, index))
            .OrderBy(x => (string)x.record["conn"]! != primary)
            .ThenBy(x => (string)x.record["conn"]!, StringComparer.Ordinal)
            .ThenBy(x => x.index)
            .Select(x => x.record);
        _printed.AddRange(ordered);
        _pending.Clear();
    }

    private void Report(Conn c, Packet packet, string kind, string? startAs = null) =>
        Add(_records.Record(_n, c.Name, packet, kind, startAs));

    private void Add(JsonObject record)
    {
        _pending.Add(record);
        _recordsPerLine[_n] = _recordsPerLine.GetValueOrDefault(_n) + 1;
    }

    private static double Seconds(JsonNode? node, double fallback) => node is null ? fallback : node.GetValue<double>();

    // What Python's str(OSError) says for the errors a send can hit on a Unix socket.
    private static string PythonError(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.Shutdown => "[Errno 32] Broken pipe",
        SocketError.ConnectionReset => "[Errno 104] Connection reset by peer",
        _ => $"[Errno {e.NativeErrorCode}] {e.Message}",
    };
}
