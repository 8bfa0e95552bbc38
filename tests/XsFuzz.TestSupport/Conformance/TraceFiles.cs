using Xunit;

namespace XsFuzz.TestSupport.Conformance;

/// <summary>
/// Finds the conformance traces (<c>tests/conformance/X.jsonl</c>) and the real daemon's recorded output for
/// each (<c>X.oxenstored.out.jsonl</c>, written by <c>scripts/conformance.sh</c>). They are
/// read from the source tree, not copied next to the test binaries.
/// </summary>
public static class TraceFiles
{
    private const string RecordedSuffix = ".oxenstored.out.jsonl";
    private static readonly Lazy<string> Folder = new(FindFolder);

    /// <summary>The trace names (file names without .jsonl), one theory case each.</summary>
    public static TheoryData<string> Names => [.. AllNames()];

    /// <summary>
    /// The traces a socket client can play: those without a domU ring connection ("conn": "D3", which
    /// scripts/xsclient-rings.py records over the domain's ring and only the in-process replay can play).
    /// </summary>
    public static TheoryData<string> SocketNames => [.. AllNames().Where(name => !HasRings(name))];

    private static IEnumerable<string> AllNames()
    {
        foreach (var file in Directory.GetFiles(Folder.Value, "*.jsonl").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            if (!name.EndsWith(".out.jsonl", StringComparison.Ordinal))
                yield return name[..^".jsonl".Length];
        }
    }

    public static bool HasRings(string name) =>
        System.Text.RegularExpressions.Regex.IsMatch(File.ReadAllText(TracePath(name)), "\"conn\": *\"D[0-9]");

    public static string TracePath(string name) => Path.Combine(Folder.Value, name + ".jsonl");

    public static string RecordedPath(string name) => Path.Combine(Folder.Value, name + RecordedSuffix);

    private static string FindFolder()
    {
        var folder = Repository.PathOf("tests", "conformance");
        return Directory.Exists(folder) ? folder : throw new DirectoryNotFoundException("conformance traces not found: no folder " + folder);
    }
}
