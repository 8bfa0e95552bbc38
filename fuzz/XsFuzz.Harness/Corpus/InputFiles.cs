namespace XsFuzz.Harness.Corpus;

/// <summary>
/// Which files of a folder are inputs (a corpus, an AFL queue, crashes/ or hangs/): regular files directly
/// in it, not hidden (AFL's own state), no README (AFL writes one into crashes/) and no Markdown notes.
/// The scripts' xs_list_inputs (scripts/lib/common.sh) follows the same rule; InputFilesTests pins the two
/// together.
/// </summary>
public static class InputFiles
{
    /// <summary>The input files of the folder, by full path, in ordinal order.</summary>
    public static IReadOnlyList<string> In(string folder) =>
        [.. Directory.GetFiles(folder).Where(f => IsInput(Path.GetFileName(f))).Order(StringComparer.Ordinal)];

    public static bool IsInput(string name) =>
        !name.StartsWith('.') && !name.StartsWith("README", StringComparison.Ordinal) && !name.EndsWith(".md", StringComparison.Ordinal);
}
