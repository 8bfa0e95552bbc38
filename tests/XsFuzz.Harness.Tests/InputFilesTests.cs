using XsFuzz.Harness.Corpus;
using XsFuzz.TestSupport;

namespace XsFuzz.Harness.Tests;

/// <summary>
/// One rule for which files of a folder are inputs: xsfuzz's (InputFiles: triage, seeds, real campaigns) and
/// the scripts' (xs_list_inputs in scripts/lib/common.sh: cmin, libFuzzer, counts in status lines) pick the
/// same files in the same order.
/// </summary>
public sealed class InputFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xsfuzz-input-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Xsfuzz_and_the_scripts_list_the_same_inputs_in_the_same_order()
    {
        string[] files =
        [
            "id:000000,orig:seed", "id:000001,src:000000,op:havoc", "crash-0a1b", "B", "a", "_x", "notes.md",
            "README.txt", "README", ".cur_input", ".state", "seed.bin", "x.md.bin", "readme.txt",
        ];
        foreach (var name in files) File.WriteAllBytes(Path.Combine(_dir, name), [1]);
        Directory.CreateDirectory(Path.Combine(_dir, "queue"));
        File.WriteAllBytes(Path.Combine(_dir, "queue", "inner"), [1]);

        var xsfuzz = InputFiles.In(_dir).Select(Path.GetFileName).ToList();
        Assert.Equal(["B", "_x", "a", "crash-0a1b", "id:000000,orig:seed", "id:000001,src:000000,op:havoc", "readme.txt", "seed.bin", "x.md.bin"], xsfuzz);
        Assert.Equal(xsfuzz, ScriptList(_dir));
    }

    private static List<string?> ScriptList(string folder)
    {
        var (exit, lines) = ScriptLibrary.Run("xs_list_inputs \"$1\"", folder);
        Assert.Equal(0, exit);
        return [.. lines.Select(Path.GetFileName)];
    }
}
