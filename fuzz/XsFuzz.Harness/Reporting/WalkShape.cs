namespace XsFuzz.Harness.Reporting;

/// <summary>
/// The first difference between two state walks, without values: e.g. "[node extra in A:
/// /tool/xenstored]", "[perms: /]", "[value: *]". Only the first differing line (in walk order) is
/// named: one scenario often shows several differences of separate causes at once, and naming them
/// all would give one signature per combination instead of one per cause. Paths the daemons create
/// themselves (the root, /tool/xenstored, the @ nodes, /local/domain/0 ...) are named, since a
/// difference there is usually the daemon's doing; every other path is "*".
/// A walk line is "PATH  perms P  value V" (or "PATH  children ERROR ..." when DIRECTORY failed).
/// </summary>
internal static partial class WalkShape
{
    private static readonly HashSet<string> DaemonPaths = new(StringComparer.Ordinal)
    {
        "/", "/tool", "/tool/xenstored", "/@introduceDomain", "/@releaseDomain", "/local", "/local/domain", "/local/domain/0",
    };

    public static string Describe(string walkA, string walkB)
    {
        var a = walkA.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var b = walkB.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var keysA = a.Select(Key).ToHashSet(StringComparer.Ordinal);
        var keysB = b.Select(Key).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var lineA = i < a.Length ? a[i] : null;
            var lineB = i < b.Length ? b[i] : null;
            if (lineA == lineB) continue;
            if (lineA is not null && lineB is not null && Key(lineA) == Key(lineB)) return Shape(Aspect(Rest(lineA), Rest(lineB)), lineB);
            if (lineA is not null && !keysB.Contains(Key(lineA))) return Shape("node extra in A", lineA);
            if (lineB is not null && !keysA.Contains(Key(lineB))) return Shape("node missing in A", lineB);
            return "[order]";
        }
        return "[order]";
    }

    /// <summary>
    /// The aspect, where, and what is odd about the line (of B when B has it): perms naming a domid
    /// that no domain can have (negative, or at or above DOMID_FIRST_RESERVED; oxenstored prints
    /// negative ones unsigned, the C daemon signed), or a node that DIRECTORY lists but that cannot be
    /// read (a child name with a '/' in it).
    /// </summary>
    private static string Shape(string aspect, string line)
    {
        var key = Key(line);
        var path = key.EndsWith(" children", StringComparison.Ordinal) ? key[..^" children".Length] : key;
        var perms = Split(Rest(line)).Perms;
        var tag = perms.StartsWith("perms ERROR", StringComparison.Ordinal) ? " (unreadable)"
            : OutOfRange(perms) ? " (out-of-range domid in perms)" : "";
        return "[" + aspect + ": " + (DaemonPaths.Contains(path) ? path : "*") + tag + "]";
    }

    private const long DomidFirstReserved = 0x7FF0;

    private static bool OutOfRange(string perms)
    {
        foreach (System.Text.RegularExpressions.Match m in PermEntry().Matches(perms))
        {
            if (!decimal.TryParse(m.Groups[1].Value, System.Globalization.NumberStyles.AllowLeadingSign,
                    System.Globalization.CultureInfo.InvariantCulture, out var domid) || domid < 0 || domid >= DomidFirstReserved)
                return true;
        }
        return false;
    }

    /// <summary>One GET_PERMS entry: a permission letter and a domid.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<=^perms | )[nrwb](-?\d+)")]
    private static partial System.Text.RegularExpressions.Regex PermEntry();

    private static string Key(string line)
    {
        var cut = line.IndexOf("  ", StringComparison.Ordinal);
        if (cut < 0) return line;
        var path = line[..cut];
        return line.AsSpan(cut + 2).StartsWith("children", StringComparison.Ordinal) ? path + " children" : path;
    }

    private static string Rest(string line)
    {
        var cut = line.IndexOf("  ", StringComparison.Ordinal);
        return cut < 0 ? "" : line[(cut + 2)..];
    }

    private static string Aspect(string a, string b)
    {
        if (a.StartsWith("children", StringComparison.Ordinal)) return "children";
        var (permsA, valueA) = Split(a);
        var (permsB, valueB) = Split(b);
        if (permsA != permsB && valueA != valueB) return "perms and value";
        return permsA != permsB ? "perms" : "value";
    }

    private static (string Perms, string Value) Split(string rest)
    {
        var cut = rest.IndexOf("  value ", StringComparison.Ordinal);
        return cut < 0 ? (rest, "") : (rest[..cut], rest[cut..]);
    }
}
