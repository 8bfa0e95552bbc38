using System.IO.Compression;
using System.Text;
using XsFuzz.Harness.Scenarios;

namespace XsFuzz.Harness.Tests;

/// <summary>
/// The input format is fixed: every file in corpus/ must decode to the scenario it decoded to when the
/// fixture was written (by the decoder before the choosers were merged into one code path for decoding
/// and encoding). Fixtures/corpus-scenarios.txt.gz holds, per file, "== NAME" and its scenario text.
/// </summary>
public class CorpusDecodingTests
{
    [Fact]
    public void Every_corpus_file_decodes_to_the_recorded_scenario()
    {
        var root = XsFuzz.TestSupport.Repository.Root;
        var expected = Fixture(Path.Combine(AppContext.BaseDirectory, "Fixtures", "corpus-scenarios.txt.gz"));
        var files = Directory.GetFiles(Path.Combine(root, "corpus"), "*.bin").OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.Equal(170, expected.Count);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), files.Select(Path.GetFileName));
        foreach (var file in files)
        {
            var actual = ScenarioText.Print(ScenarioDecoder.Decode(File.ReadAllBytes(file), HarnessOptions.Default));
            Assert.True(expected[Path.GetFileName(file)!] == actual, $"{Path.GetFileName(file)} decodes to\n{actual}");
        }
    }

    private static Dictionary<string, string> Fixture(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var text = new StreamReader(gz, Encoding.Latin1).ReadToEnd();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Assert.StartsWith("== ", text);
        Assert.EndsWith("\n", text);
        // Each scenario text ends with a newline, so every header after the first follows "\n".
        foreach (var block in ("\n" + text[..^1]).Split("\n== ", StringSplitOptions.RemoveEmptyEntries))
        {
            var newline = block.IndexOf('\n');
            result.Add(block[..newline], block[(newline + 1)..] + "\n");
        }
        return result;
    }
}
