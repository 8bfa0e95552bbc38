using XsFuzz.Harness.Running;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Reporting;

/// <summary>
/// Names the first difference between two deliveries without quoting values (error names are kept:
/// there are few of them and they say what went wrong), e.g. "ERROR(EACCES) instead of WRITE",
/// "WATCH_EVENT missing", "DEBUG payload (same lines, other order)".
/// </summary>
internal static class DeliveryShape
{
    public static string Describe(Delivery a, Delivery b)
    {
        if (a.Ending != b.Ending) return $"{Ending(a.Ending)} in A, {Ending(b.Ending)} in B";
        if (Reordered(a.Packets, b.Packets)) return "the same packets in another order";
        if (MoreCopies(a.Packets, b.Packets)) return "more copies of the same WATCH_EVENTs in A";
        if (MoreCopies(b.Packets, a.Packets)) return "more copies of the same WATCH_EVENTs in B";
        if (OtherCopyCounts(a.Packets, b.Packets)) return "other numbers of copies of the same WATCH_EVENTs";
        var common = Math.Min(a.Packets.Count, b.Packets.Count);
        for (var i = 0; i < common; i++)
        {
            var (pa, pb) = (a.Packets[i], b.Packets[i]);
            if (pa.Equals(pb)) continue;
            if (pa.Type != pb.Type || (pa.Op == Op.Error && !pa.Payload.SequenceEqual(pb.Payload)))
                return $"{Kind(pa)} instead of {Kind(pb)}";
            if (pa.TxId != pb.TxId) return $"{OpNames.Name(pa.Type)} tx id";
            if (pa.RequestId != pb.RequestId) return $"{OpNames.Name(pa.Type)} request id";
            return $"{OpNames.Name(pa.Type)} payload{Reordering(pa, pb)}";
        }
        return a.Packets.Count < b.Packets.Count
            ? $"{Kind(b.Packets[common])} missing in A"
            : $"{Kind(a.Packets[common])} extra in A";
    }

    /// <summary>Both lists hold the same packets (as a multiset), in another order.</summary>
    private static bool Reordered(IReadOnlyList<Packet> a, IReadOnlyList<Packet> b)
    {
        if (a.Count != b.Count || a.Count < 2) return false;
        var left = a.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        foreach (var p in b)
        {
            if (!left.TryGetValue(p, out var n) || n == 0) return false;
            left[p] = n - 1;
        }
        return true;
    }

    /// <summary>
    /// <paramref name="more"/> holds every packet of <paramref name="fewer"/> (as a multiset) and, beyond
    /// them, only further copies of watch events that <paramref name="fewer"/> delivered too: nothing is
    /// lost or changed, events were repeated. The C xenstored drops a watch event identical to one still
    /// queued for the connection, so how many copies arrive depends on how much was already written.
    /// </summary>
    private static bool MoreCopies(IReadOnlyList<Packet> more, IReadOnlyList<Packet> fewer)
    {
        if (more.Count <= fewer.Count || fewer.Count == 0) return false;
        var left = more.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        foreach (var p in fewer)
        {
            if (!left.TryGetValue(p, out var n) || n == 0) return false;
            left[p] = n - 1;
        }
        var delivered = fewer.ToHashSet();
        return left.All(e => e.Value == 0 || (e.Key.Op == Op.WatchEvent && delivered.Contains(e.Key)));
    }

    /// <summary>
    /// Both deliver the same packets other than watch events, in the same order, and the same distinct
    /// watch events, each side some of them more often than the other: as <see cref="MoreCopies"/>, nothing
    /// is lost or changed, but each side coalesced other copies (which of the earlier events were still
    /// queued when an identical one came depends on when the daemon wrote its output).
    /// </summary>
    private static bool OtherCopyCounts(IReadOnlyList<Packet> a, IReadOnlyList<Packet> b)
    {
        static bool IsEvent(Packet p) => p.Op == Op.WatchEvent;
        if (!a.Where(p => !IsEvent(p)).SequenceEqual(b.Where(p => !IsEvent(p)))) return false;
        var eventsA = a.Where(IsEvent).ToHashSet();
        return eventsA.Count > 0 && eventsA.SetEquals(b.Where(IsEvent));
    }

    /// <summary>"ERROR(ENOENT)" for errors, the op name otherwise.</summary>
    public static string Kind(Packet p)
    {
        if (p.Op != Op.Error) return OpNames.Name(p.Type);
        var name = Latin1.Decode(p.Payload).TrimEnd('\0');
        return name.Length is > 0 and <= 12 && name.All(char.IsAsciiLetterOrDigit) ? $"ERROR({name})" : "ERROR(?)";
    }

    private static string Ending(Ending e) => e switch
    {
        Running.Ending.Complete => "answered",
        Running.Ending.Timeout => "no answer",
        Running.Ending.Threw => "threw",
        _ => "closed",
    };

    /// <summary>Whether the payloads are the same lines (or NUL-separated items) in another order.</summary>
    private static string Reordering(Packet a, Packet b)
    {
        var (ta, tb) = (Latin1.Decode(a.Payload), Latin1.Decode(b.Payload));
        if (SameItems(ta, tb, '\n')) return " (same lines, other order)";
        if (SameItems(ta, tb, '\0')) return " (same items, other order)";
        return "";
    }

    private static bool SameItems(string a, string b, char separator)
    {
        var ia = a.Split(separator);
        var ib = b.Split(separator);
        if (ia.Length < 2 || ia.Length != ib.Length) return false;
        Array.Sort(ia, StringComparer.Ordinal);
        Array.Sort(ib, StringComparer.Ordinal);
        return ia.SequenceEqual(ib, StringComparer.Ordinal);
    }
}
