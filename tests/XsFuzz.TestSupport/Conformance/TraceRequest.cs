using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XsFuzz.TestSupport.Conformance;

/// <summary>
/// One request line of a trace, turned into the packet xsclient.py would send: the same op names,
/// defaults (conn "A", tx 0, rid = line number) and payload encoding rules.
/// </summary>
public sealed record TraceRequest(string Conn, uint Type, uint RequestId, uint TxId, byte[] Payload, string? As)
{
    private const uint TransactionStart = 6;
    private const uint Write = 11;

    // xsclient's own table: RESTRICT (20) has no name there, so traces spell it as a number.
    private static readonly Dictionary<string, uint> OpNumbers = new(StringComparer.Ordinal)
    {
        ["DEBUG"] = 0, ["CONTROL"] = 0, ["DIRECTORY"] = 1, ["READ"] = 2, ["GET_PERMS"] = 3,
        ["WATCH"] = 4, ["UNWATCH"] = 5, ["TRANSACTION_START"] = 6, ["TRANSACTION_END"] = 7,
        ["INTRODUCE"] = 8, ["RELEASE"] = 9, ["GET_DOMAIN_PATH"] = 10, ["WRITE"] = 11,
        ["MKDIR"] = 12, ["RM"] = 13, ["SET_PERMS"] = 14, ["WATCH_EVENT"] = 15, ["ERROR"] = 16,
        ["IS_DOMAIN_INTRODUCED"] = 17, ["RESUME"] = 18, ["SET_TARGET"] = 19,
        ["RESET_WATCHES"] = 21, ["DIRECTORY_PART"] = 22,
    };

    // Python's str.encode("utf-8") refuses lone surrogates instead of replacing them.
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <param name="txByName">transaction names bound so far by <c>"as"</c> (or <c>#n</c>)</param>
    public static TraceRequest Parse(JsonObject line, int lineNumber, IReadOnlyDictionary<string, long> txByName)
    {
        var conn = line["conn"] is { } c ? AsText(c) : "A";
        var type = line["op"] is JsonValue op && op.TryGetValue(out string? name)
            ? OpNumbers.TryGetValue(name.ToUpperInvariant(), out var t) ? t
                : throw new FormatException($"line {lineNumber}: unknown op {name}")
            : checked((uint)Integer(line["op"], lineNumber, "op"));
        uint tx = 0;
        if (line["tx"] is { } txNode)
        {
            if (txNode is JsonValue v && v.TryGetValue(out string? txName))
            {
                tx = txByName.TryGetValue(txName, out var real) ? checked((uint)real)
                    : throw new FormatException($"line {lineNumber}: unknown transaction name {txName}");
            }
            else
            {
                tx = checked((uint)Integer(txNode, lineNumber, "tx"));
            }
        }
        var rid = line["rid"] is { } r ? checked((uint)Integer(r, lineNumber, "rid")) : checked((uint)lineNumber);
        var asName = line["as"] is { } a ? AsText(a) : null;
        return new TraceRequest(conn, type, rid, tx, EncodePayload(line, type), asName);
    }

    private static byte[] EncodePayload(JsonObject line, uint type)
    {
        if (line["payload_hex"] is { } hex)
        {
            var digits = string.Concat(hex.GetValue<string>().Where(ch => !char.IsWhiteSpace(ch)));
            return Convert.FromHexString(digits);
        }
        if (line["payload"] is { } raw) return StrictUtf8.GetBytes(raw.GetValue<string>());

        var args = (line["args"] as JsonArray ?? [])
            .Select(arg => StrictUtf8.GetBytes(arg?.GetValue<string>() ?? throw new FormatException("null arg")))
            .ToList();
        if (type == TransactionStart && args.Count == 0) args.Add([]);

        var payload = new List<byte>();
        for (var i = 0; i < args.Count; i++)
        {
            payload.AddRange(args[i]);
            // WRITE's value (its last arg) is sent as is; every other arg ends with a NUL.
            if (!(type == Write && i == args.Count - 1)) payload.Add(0);
        }
        var noTerm = line["noterm"] is JsonValue nt && nt.GetValueKind() == JsonValueKind.True;
        // "noterm" only applies to the NUL-terminated encoding, not to WRITE with args.
        if (noTerm && !(type == Write && args.Count > 0) && payload.Count > 0 && payload[^1] == 0)
            payload.RemoveAt(payload.Count - 1);
        return [.. payload];
    }

    private static long Integer(JsonNode? node, int lineNumber, string field) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<long>(),
        JsonValue v when v.TryGetValue(out string? s) => long.Parse(s.Trim(), CultureInfo.InvariantCulture),
        _ => throw new FormatException($"line {lineNumber}: {field} is not an integer"),
    };

    // Python's str() of a JSON value: strings as they are, numbers in their JSON spelling.
    private static string AsText(JsonNode node) =>
        node is JsonValue v && v.TryGetValue(out string? s) ? s : node.ToJsonString();
}
