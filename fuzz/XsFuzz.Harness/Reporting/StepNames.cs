using System.Globalization;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Reporting;

/// <summary>
/// The value-free name of a request for signatures: its op; for CONTROL its sub-command; and for a
/// request about a domain (SET_TARGET: either domain; SET_PERMS: an ACL entry's), whether the domid is
/// negative or reserved (at or above DOMID_FIRST_RESERVED, 0x7FF0): such domains behave apart in the
/// daemons (and in the sandbox, where they do not exist), so their differences are worth their own
/// groups; the first such domain a request names gives the tag. A request that names no such domain but
/// comes over the ring of one (D-42, D513146), and a drain of that ring, carry the same tag. Every op
/// number the protocol does not define is one name, "unknown type": the daemons treat them all alike,
/// and a name per number would split one difference into as many groups as the fuzzer tried numbers.
/// </summary>
internal static class StepNames
{
    private const long DomidFirstReserved = 0x7FF0;

    public static string Of(RequestCommand r)
    {
        var op = Enum.IsDefined((Op)r.Type) ? OpNames.Name(r.Type) : "unknown type";
        var pieces = r.Payload.Split('\0');
        IEnumerable<string> domains = [];   // the payload's pieces that name a domain
        if (r.Type == (uint)Op.Control)
        {
            var first = pieces[0];
            var word = first.Length is > 0 and <= 20 && first.All(c => c is (>= 'a' and <= 'z') or '-');
            op += " " + (word ? first : "?");
            if (first is "mfn" or "quota" or "xenbus" && pieces.Length > 1) domains = [pieces[1]];
        }
        else if (r.Type is (uint)Op.Introduce or (uint)Op.Release or (uint)Op.Resume or (uint)Op.IsDomainIntroduced
                 or (uint)Op.GetDomainPath)
        {
            domains = pieces.Take(1);
        }
        else if (r.Type == (uint)Op.SetTarget)
        {
            domains = pieces.Take(2);   // the domain and its target
        }
        else if (r.Type == (uint)Op.SetPerms)
        {
            domains = pieces.Skip(1).Where(e => e.Length > 1).Select(e => e[1..]);   // each ACL entry's, after its letter
        }
        var tag = domains.Select(DomidTag).FirstOrDefault(t => t.Length > 0) ?? "";
        return op + (tag.Length > 0 ? tag : OfConnection(r.Connection));
    }

    /// <summary>The tag of a domain's ring whose domid is negative or reserved, else empty.</summary>
    public static string OfConnection(ConnectionId connection) =>
        connection.Kind == ConnectionKind.Ring ? DomidTag(connection.Number.ToString(CultureInfo.InvariantCulture)) : "";

    private static string DomidTag(string text)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var domid)) return "";
        return domid < 0 ? " (negative domid)" : domid >= DomidFirstReserved ? " (reserved domid)" : "";
    }
}
