using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// Fixed word lists the generators pick from, and the config-dependent edge-case paths. Immutable; built
/// once per options and configuration (<see cref="HarnessOptions.VocabularyOf"/>).
/// </summary>
internal sealed class Vocabulary
{
    /// <summary>Longest literal byte string any choice reads (the wire's payload limit).</summary>
    public const int LiteralMax = Xenstore.Wire.Packet.PayloadMax;

    public static readonly string[] Names =
        ["a", "b", "c", "data", "x", "name", "device", "0", "1", "2", "3", "control", "@x", "-", "_", "vif"];

    public static readonly string[] Tokens = ["t0", "t1", "t2", "tok", "w", "", "@", "token"];

    /// <summary>Paths with a special meaning: the @ watches, an @ name with a slash, the root.</summary>
    public static readonly string[] SpecialPaths =
        ["@introduceDomain", "@releaseDomain", "/@introduceDomain", "/@releaseDomain", "@foo/bar", "@", "/", "/local/domain"];

    public static readonly string[] ControlCommands = ["quota", "watches", "mfn", "print", "live-update", "xenbus", "check", "help"];

    public static readonly string[] ControlFlags = ["-s", "-a", "-F", "-t", "5", "-c"];

    /// <summary>Op numbers a raw request uses: every defined op, the unused ones, and far-off values.</summary>
    public static readonly uint[] RawTypes =
        [.. Enumerable.Range(0, 23).Select(i => (uint)i), 23u, 99u, 0xFFFFu, 0x41414141u];

    public Vocabulary(XenstoredConfig config)
    {
        var max = config.PathMax;
        EdgePaths =
        [
            "", "/a/", "//a", "/a b", "a//b", "/local/domain/", "/.", "/tool/xenstored/",
            "/local/domain/0/" + new string('x', max),      // at the limit (measured after the prefix)
            "/local/domain/0/" + new string('x', max + 1),  // one over
            "/" + new string('x', max - 1),                 // whole path exactly at the limit
            "/" + new string('x', max),                     // one over
        ];
        MaxSize = config.MaxSize;
    }

    /// <summary>Invalid or limit-sized paths (config dependent).</summary>
    public string[] EdgePaths { get; }

    public int MaxSize { get; }

    /// <summary>The base a relative path of this connection resolves against (spec §1.10).</summary>
    public static string BaseOf(ConnectionId id) =>
        "/local/domain/" + (id.Kind == ConnectionKind.Ring ? id.Number : 0).ToString(System.Globalization.CultureInfo.InvariantCulture) + "/";

    /// <summary>The first index of <paramref name="value"/>, or -1 (enumerating: see <see cref="Decoding.Choices.Pick"/>).</summary>
    public static int IndexOf<T>(IReadOnlyList<T> list, T value)
    {
        var comparer = EqualityComparer<T>.Default;
        var i = 0;
        foreach (var item in list)
        {
            if (comparer.Equals(item, value)) return i;
            i++;
        }
        return -1;
    }
}
