using System.Text.Json.Nodes;

namespace XsFuzz.TestSupport.Conformance;

/// <summary>
/// The understood differences between the model and oxenstored, each normalised away on both sides
/// before comparing, with its reason. Keep this list short: every entry hides something.
/// </summary>
public static class KnownDifferences
{
    /// <summary>
    /// <c>DEBUG watches</c>: oxenstored lists connections and each connection's watch paths in OCaml
    /// hash-table order, keyed by socket file descriptor and path string; fd numbers belong to the real
    /// process, so the model cannot reproduce the order (it lists rings by domid, sockets by number,
    /// paths in byte order, newest first). The set of lines must still be identical.
    /// </summary>
    public static JsonNode Normalize(JsonNode record)
    {
        if (record["type"]?.GetValue<string>() != "DEBUG" || record["data"] is not JsonArray { Count: > 0 } data
            || data[0]?.GetValue<string>() is not { } listing || !listing.StartsWith("watch ", StringComparison.Ordinal))
            return record;
        var lines = listing.Split('\n').Order(StringComparer.Ordinal);
        var normalized = record.DeepClone();
        normalized["data"]![0] = string.Join('\n', lines);
        return normalized;
    }
}
