using XsFuzz.Xenstore.Migration;
using XsFuzz.Cli;

namespace XsFuzz.Harness.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xsfuzz-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = XsfuzzApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Theory]
    [InlineData()]
    [InlineData("nonsense")]
    [InlineData("check", "--bogus")]
    [InlineData("check", "--fault", "no-such-fault")]
    [InlineData("check", "--time", "soon")]
    [InlineData("check", "--iterations", "0")]
    [InlineData("check", "--max-commands", "0")]
    [InlineData("replay")]
    [InlineData("replay", "/nonexistent/input.bin")]
    [InlineData("replay", "--base64", "!!not base64!!")]
    [InlineData("print", "/nonexistent/input.bin")]
    [InlineData("shrink", "/nonexistent/input.bin", "-o", "/tmp/x")]
    [InlineData("shrink", "whatever.bin")]
    [InlineData("afl", "--fault", "no-such-fault")]
    public void Bad_usage_gives_one_message_and_exit_2(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith("xsfuzz: ", err);
    }

    [Fact]
    public void An_empty_file_is_a_usage_error()
    {
        var empty = PathOf("empty.bin");
        File.WriteAllBytes(empty, []);
        var (code, _, err) = Run("replay", empty);
        Assert.Equal(2, code);
        Assert.Contains("is empty", err);
    }

    [Fact]
    public void Faults_lists_every_planted_fault()
    {
        var (code, output, _) = Run("faults");
        Assert.Equal(0, code);
        foreach (var fault in FaultCatalog.All) Assert.Contains(FaultCatalog.NameOf(fault) + " ", output);
    }

    [Fact]
    public void Check_passes_on_the_correct_model()
    {
        var (code, output, _) = Run("check", "--iterations", "200", "--seed", "4");
        Assert.Equal(0, code);
        Assert.StartsWith("ok: 200 scenarios", output);
    }

    [Fact]
    public void Check_saves_a_failure_that_replay_reproduces_and_shrink_reduces()
    {
        var (code, report, _) = Run("check", "--fault", "pending-event-dropped", "--seed", "3", "--iterations", "3000", "--out", _dir);
        Assert.Equal(1, code);
        // The shrunk report and the original one: one signature.
        Assert.Single(report.Split('\n').Where(l => l.StartsWith("signature: ", StringComparison.Ordinal)).Distinct());
        var saved = Assert.Single(Directory.GetFiles(_dir, "xsfuzz-failure-seed3-*.bin"));

        var (replayCode, replay, _) = Run("replay", saved, "--fault", "pending-event-dropped");
        Assert.Equal(1, replayCode);
        var checkReport = report[..report.LastIndexOf("found at iteration", StringComparison.Ordinal)];
        Assert.EndsWith(checkReport, replay);
        Assert.Contains("verdict: DISAGREE", replay);

        var (base64Code, base64Replay, _) = Run("replay", "--base64", Convert.ToBase64String(File.ReadAllBytes(saved)), "--fault", "pending-event-dropped");
        Assert.Equal(1, base64Code);
        Assert.EndsWith(checkReport, base64Replay);

        var (passCode, pass, _) = Run("replay", saved);
        Assert.Equal(0, passCode);
        Assert.Contains("verdict: agree", pass);

        var shrunk = PathOf("shrunk.bin");
        var (shrinkCode, shrinkOut, _) = Run("shrink", saved, "-o", shrunk, "--fault", "pending-event-dropped");
        Assert.Equal(0, shrinkCode);
        Assert.Contains("shrunk ", shrinkOut);
        Assert.True(new FileInfo(shrunk).Length < new FileInfo(saved).Length);
        var (shrunkCode, shrunkReplay, _) = Run("replay", shrunk, "--fault", "pending-event-dropped");
        Assert.Equal(1, shrunkCode);
        Assert.Equal(Signature(report), Signature(shrunkReplay));
    }

    private static string Signature(string report) =>
        report.Split('\n').First(l => l.StartsWith("signature: ", StringComparison.Ordinal));

    [Fact]
    public void Print_and_encode_round_trip_through_text()
    {
        var input = PathOf("in.bin");
        File.WriteAllBytes(input, new RandomInputs(8).Next(64));
        var (code, text, _) = Run("print", input);
        Assert.Equal(0, code);
        var textFile = PathOf("scenario.txt");
        File.WriteAllText(textFile, text, System.Text.Encoding.Latin1);
        var encoded = PathOf("encoded.bin");
        Assert.Equal(0, Run("encode", textFile, "-o", encoded).Code);
        Assert.Equal(text, Run("print", encoded).Out);
    }

    [Fact]
    public void Encode_rejects_bad_scenario_text()
    {
        var textFile = PathOf("bad.txt");
        File.WriteAllText(textFile, "D0 tx0 FROBNICATE /\n");
        var (code, _, err) = Run("encode", textFile, "-o", PathOf("out.bin"));
        Assert.Equal(2, code);
        Assert.Contains("line 1", err);
    }

    [Fact]
    public void Corpus_writes_seed_inputs_that_agree()
    {
        var dir = PathOf("corpus");
        Assert.Equal(0, Run("corpus", "--out", dir, "--count", "12").Code);
        var files = Directory.GetFiles(dir);
        Assert.Equal(12, files.Length);
        var (code, output, _) = Run(["replay", .. files]);
        Assert.Equal(0, code);
        Assert.DoesNotContain("DISAGREE", output);
    }
}
