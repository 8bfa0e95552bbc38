using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>Compares two packet lists and names the first difference without quoting values.</summary>
internal static class PacketComparison
{
    public static bool Equal(IReadOnlyList<Packet> a, IReadOnlyList<Packet> b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
        {
            if (!a[i].Equals(b[i])) return false;
        }
        return true;
    }

    /// <summary>E.g. "WATCH_EVENT payload", "WATCH_EVENT missing", "ERROR instead of WRITE".</summary>
    public static string Shape(IReadOnlyList<Packet> a, IReadOnlyList<Packet> b)
    {
        var common = Math.Min(a.Count, b.Count);
        for (var i = 0; i < common; i++)
        {
            var pa = a[i];
            var pb = b[i];
            if (pa.Equals(pb)) continue;
            if (pa.Type != pb.Type) return $"{OpNames.Name(pa.Type)} instead of {OpNames.Name(pb.Type)}";
            if (pa.TxId != pb.TxId) return $"{OpNames.Name(pa.Type)} tx id";
            if (pa.RequestId != pb.RequestId) return $"{OpNames.Name(pa.Type)} request id";
            return $"{OpNames.Name(pa.Type)} payload";
        }
        return a.Count < b.Count
            ? $"{OpNames.Name(b[common].Type)} missing"
            : $"{OpNames.Name(a[common].Type)} extra";
    }
}
