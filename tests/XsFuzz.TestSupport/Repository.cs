using System.Runtime.CompilerServices;

namespace XsFuzz.TestSupport;

/// <summary>
/// The source tree the tests were built from (the folder holding XsFuzz.sln): fixtures such as corpus/,
/// tests/conformance and scripts/ are read from it, not copied next to the test binaries.
/// </summary>
public static class Repository
{
    private static readonly Lazy<string> RootFolder = new(FindRoot);

    public static string Root => RootFolder.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        // The build may put the binaries outside the tree (--artifacts-path), so besides walking up
        // from them, try the working directory and the folder this file was compiled from.
        string[] starts = [AppContext.BaseDirectory, Environment.CurrentDirectory, SourceFolder()];
        foreach (var start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "XsFuzz.sln"))) return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException(
            "the source tree was not found: no folder above " + string.Join(" or ", starts) + " contains XsFuzz.sln");
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path) ?? ".";
}
