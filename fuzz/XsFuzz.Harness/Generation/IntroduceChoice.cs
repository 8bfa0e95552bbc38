using System.Globalization;
using XsFuzz.Harness.Decoding;
using static XsFuzz.Harness.Generation.RequestArgs;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// INTRODUCE's arguments: mostly the next free domid with the conventional mfn and port, so that it
/// succeeds and a new domU connection appears; sometimes a live domain again (re-introduction) or odd
/// numbers.
/// </summary>
internal static class IntroduceChoice
{
    private static readonly WeightTable DomidTable = new(196, 60);        // fresh, other (DomidChoice)
    private static readonly WeightTable ConventionalTable = new(220, 36); // conventional, literal

    /// <summary>The payload. Writing: <paramref name="want"/> holds domid, mfn and port.</summary>
    public static string Choose(Choices c, LiveView view, string[]? want)
    {
        var domid = c.OneOf(DomidTable, view, At(want, 0), Domid);
        var mfn = c.OneOf(ConventionalTable, (domid, 1000), At(want, 1), Number);
        var port = c.OneOf(ConventionalTable, (domid, 10), At(want, 2), Number);
        return Join(domid, mfn, port);
    }

    private static string Domid(Choices c, LiveView view, string? want, int alt) =>
        alt == 0 ? DomidChoice.Text(FreshDomid(view)) : DomidChoice.Choose(c, view, want);

    /// <summary>mfn = 1000 + domid, port = 10 + domid (the setup's convention, DomainSetup), or literal bytes.</summary>
    private static string Number(Choices c, (string Domid, int Offset) s, string? want, int alt) =>
        alt == 0
            ? ((DomidChoice.TryCanonical(s.Domid, out var d) ? d : 0) + (long)s.Offset).ToString(CultureInfo.InvariantCulture)
            : c.Bytes(Vocabulary.LiteralMax, want);

    /// <summary>The smallest domid from 1 up that is not introduced.</summary>
    private static int FreshDomid(LiveView view)
    {
        var domids = view.Domids;
        for (var candidate = 1; ; candidate++)
        {
            var used = false;
            foreach (var domid in domids)
            {
                if (domid == candidate) { used = true; break; }
            }
            if (!used) return candidate;
        }
    }
}
