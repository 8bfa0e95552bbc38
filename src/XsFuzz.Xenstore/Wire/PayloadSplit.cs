namespace XsFuzz.Xenstore.Wire;

/// <summary>
/// oxenstored cuts a request payload at NUL bytes into at most <c>limit</c> pieces; the last piece
/// keeps any further NULs (spec §1.3). No trailing NUL is stripped first, so <c>"x\0"</c> gives
/// <c>["x", ""]</c>.
/// </summary>
internal static class PayloadSplit
{
    /// <summary>split2 for paths and WRITE, split8 for everything else.</summary>
    public static List<string> Split(ReadOnlySpan<byte> payload, int limit)
    {
        var pieces = new List<string>(Math.Min(limit, 4));
        var rest = payload;
        while (pieces.Count < limit - 1)
        {
            var nul = rest.IndexOf((byte)0);
            if (nul < 0) break;
            pieces.Add(Latin1.Decode(rest[..nul]));
            rest = rest[(nul + 1)..];
        }
        pieces.Add(Latin1.Decode(rest));
        return pieces;
    }

    /// <summary>The shape <c>path\0</c> exactly (READ, DIRECTORY, GET_PERMS, MKDIR, RM); else null.</summary>
    public static string? OnePath(ReadOnlySpan<byte> payload)
    {
        var nul = payload.IndexOf((byte)0);
        if (nul < 0 || nul != payload.Length - 1) return null;
        return Latin1.Decode(payload[..nul]);
    }

    /// <summary>The shape <c>head\0tail</c> (split2 into two pieces); the tail stays raw bytes.</summary>
    public static bool TrySplitHead(ReadOnlySpan<byte> payload, out string head, out ReadOnlySpan<byte> tail)
    {
        var nul = payload.IndexOf((byte)0);
        if (nul < 0)
        {
            head = "";
            tail = default;
            return false;
        }
        head = Latin1.Decode(payload[..nul]);
        tail = payload[(nul + 1)..];
        return true;
    }
}
