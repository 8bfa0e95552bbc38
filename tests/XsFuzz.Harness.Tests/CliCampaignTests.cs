namespace XsFuzz.Harness.Tests;

/// <summary>The commands scripts/fuzz.sh uses around a campaign: `seeds` and `dictionary`.</summary>
public sealed class CliCampaignTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xsfuzz-cli-campaign-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Seeds_moves_exactly_the_seeds_that_already_fail()
    {
        var seeds = PathOf("seeds");
        Assert.Equal(0, CliTests.Run("corpus", "--out", seeds, "--count", "30").Code);
        var all = Directory.GetFiles(seeds).Order(StringComparer.Ordinal).ToList();
        var failing = all.Where(f => CliTests.Run("replay", f, "--fault", "perm-entry-lost").Code == 1).Select(Path.GetFileName).ToList();
        Assert.NotEmpty(failing);
        Assert.NotEqual(all.Count, failing.Count);

        var aside = PathOf("aside");
        var (code, output, _) = CliTests.Run("seeds", seeds, "--fault", "perm-entry-lost", "--set-aside", aside);
        Assert.Equal(0, code);
        Assert.Equal(failing, Directory.GetFiles(aside).Order(StringComparer.Ordinal).Select(Path.GetFileName));
        Assert.Equal(all.Count - failing.Count, Directory.GetFiles(seeds).Length);
        Assert.Contains($"seeds: {all.Count} replayed, {all.Count - failing.Count} agree, {failing.Count} already fail", output);
    }

    [Fact]
    public void Seeds_without_a_fault_moves_nothing()
    {
        var seeds = PathOf("seeds");
        Assert.Equal(0, CliTests.Run("corpus", "--out", seeds, "--count", "10").Code);
        var (code, output, _) = CliTests.Run("seeds", seeds, "--set-aside", PathOf("aside"));
        Assert.Equal(0, code);
        Assert.Contains("seeds: 10 replayed, 10 agree, 0 already fail", output);
        Assert.Equal(10, Directory.GetFiles(seeds).Length);
    }

    [Fact]
    public void Dictionary_is_in_afl_format_with_words_and_records()
    {
        var file = PathOf("dict.txt");
        Assert.Equal(0, CliTests.Run("dictionary", "-o", file).Code);
        var entries = File.ReadAllLines(file).Where(l => !l.StartsWith('#')).ToList();
        Assert.All(entries, l => Assert.Matches("^[a-z_]+_[0-9]+=\"([\\x20-\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\x[0-9A-F]{2})+\"$", l));
        Assert.Contains("word_", entries[0]);
        Assert.Contains(entries, l => l.Contains("=\"@introduceDomain\"", StringComparison.Ordinal));
        Assert.Contains(entries, l => l.StartsWith("record_", StringComparison.Ordinal) && l.Contains("=\"\\xFF", StringComparison.Ordinal));
        Assert.Equal(2, CliTests.Run("dictionary", "-o", file).Code);   // not replaced without --force
    }
}
