using System.Text.Json.Nodes;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.TestSupport.Conformance;

/// <summary>
/// Turns received packets into xsclient.py's output records, and keeps xsclient's transaction
/// naming: the id a TRANSACTION_START returns prints as its trace name (or #1, #2, ...), and later
/// requests name it. Shared by the in-process replayer and the socket player of the serve tests.
/// </summary>
public sealed class TraceRecords
{
    private const uint WatchEvent = 15;
    private const uint TransactionStart = 6;

    private readonly Dictionary<long, string> _nameByTx = [];
    private int _transactionsStarted;

    /// <summary>Transaction names seen so far, for resolving a request's <c>"tx"</c>.</summary>
    public Dictionary<string, long> TxByName { get; } = new(StringComparer.Ordinal);

    /// <summary>event, late_reply (a reply that came after its timeout) or unsolicited.</summary>
    public static string Classify(HashSet<uint> timedOut, Packet packet) =>
        packet.Type == WatchEvent ? "event"
        : timedOut.Remove(packet.RequestId) ? "late_reply"
        : "unsolicited";

    public static bool IsWatchEvent(Packet packet) => packet.Type == WatchEvent;

    /// <summary>The record of one packet; a TRANSACTION_START reply names the new transaction.</summary>
    public JsonObject Record(int n, string conn, Packet packet, string kind, string? startAs = null)
    {
        var payload = packet.Payload;
        var term = payload.Length > 0 && payload[^1] == 0;
        var fields = Split(term ? payload[..^1] : payload);
        var record = new JsonObject
        {
            ["n"] = n,
            ["conn"] = conn,
            ["kind"] = kind,
            ["type"] = TypeName(packet.Type),
            ["rid"] = packet.RequestId,
            ["tx"] = packet.TxId != 0 && _nameByTx.TryGetValue(packet.TxId, out var txName) ? txName : packet.TxId,
            ["data"] = new JsonArray(fields.Select(f => (JsonNode?)PythonText.DecodeUtf8BackslashReplace(f)).ToArray()),
            ["term"] = term,
        };
        if (packet.Type == TransactionStart && PythonText.TryParseInt(fields[0], out var real))
        {
            _transactionsStarted++;
            var name = string.IsNullOrEmpty(startAs) ? "#" + _transactionsStarted : startAs;
            TxByName[name] = real;
            _nameByTx[real] = name;
            record["data"] = new JsonArray(name);
            record["tx_real"] = real;
        }
        return record;
    }

    /// <summary>The payload cut at every NUL (after xsclient removed one trailing NUL).</summary>
    private static List<byte[]> Split(ReadOnlySpan<byte> body)
    {
        var fields = new List<byte[]>();
        int start = 0, nul;
        while ((nul = body[start..].IndexOf((byte)0)) >= 0)
        {
            fields.Add(body.Slice(start, nul).ToArray());
            start += nul + 1;
        }
        fields.Add(body[start..].ToArray());
        return fields;
    }

    // xsclient names types by its op table (DEBUG for 0, no name for 20) and prints others as numbers.
    private static JsonNode TypeName(uint type) => type switch
    {
        0 => "DEBUG",
        20 or > 22 => type,
        _ => OpNames.Name(type),
    };
}
