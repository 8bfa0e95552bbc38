using XsFuzz.Cli;

namespace XsFuzz.Harness.Tests;

/// <summary>
/// The command line never loses work and answers a mistake with one line and a non-zero exit: no output
/// replaced without --force, none written through a symbolic link, capped inputs, suggestions for typos,
/// and a found failure's report printed even when its input cannot be saved.
/// </summary>
public sealed class CliErrorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xsfuzz-cli-errors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliTests.Run(args);

    /// <summary>Exit 2 and exactly one line on stderr that names the problem.</summary>
    private static string UsageError(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("xsfuzz: ", line);
        Assert.DoesNotContain("System.", line);
        Assert.DoesNotContain("   at ", err);
        return line;
    }

    private string ScenarioFile()
    {
        var input = PathOf("in.bin");
        File.WriteAllBytes(input, new RandomInputs(8).Next(64));
        var text = PathOf("scenario.txt");
        File.WriteAllText(text, Run("print", input).Out, System.Text.Encoding.Latin1);
        return text;
    }

    [Fact]
    public void A_bad_config_is_one_line_and_exit_2()
    {
        Assert.Contains("--config 'nope' is neither a configuration", UsageError("check", "--iterations", "1", "--config", "nope"));
        var conf = PathOf("bad.conf");
        File.WriteAllText(conf, "quota-activate = false\npid-file = /run/x.pid\n");
        Assert.Contains("line 2: unknown key 'pid-file'", UsageError("check", "--iterations", "1", "--config", conf));
        Assert.Contains("--config", UsageError("replay", "--base64", "AA==", "--config", "nope"));
    }

    [Fact]
    public void A_config_file_runs_and_the_report_names_it()
    {
        var conf = PathOf("my.conf");
        File.WriteAllText(conf, "perms-activate = false\n");
        var (code, output, _) = Run("check", "--iterations", "300", "--seed", "1", "--config", conf, "--fault", "config-perms-swapped",
            "--no-shrink", "--out", _dir);
        Assert.Equal(1, code);
        Assert.Contains("config: " + conf, output);
        Assert.Contains("--config " + conf, output);
    }

    [Fact]
    public void Encode_does_not_replace_an_existing_file_without_force()
    {
        var scenario = ScenarioFile();
        var precious = PathOf("precious.txt");
        File.WriteAllText(precious, "precious");
        Assert.Contains("exists: add --force", UsageError("encode", scenario, "-o", precious));
        Assert.Equal("precious", File.ReadAllText(precious));

        Assert.Equal(0, Run("encode", scenario, "-o", precious, "--force").Code);
        Assert.NotEqual("precious", File.ReadAllText(precious));
    }

    [Fact]
    public void Shrink_does_not_replace_the_crash_with_its_shrunk_form_without_force()
    {
        Assert.Equal(1, Run("check", "--fault", "pending-event-dropped", "--seed", "3", "--iterations", "3000", "--out", _dir).Code);
        var crash = Assert.Single(Directory.GetFiles(_dir, "xsfuzz-failure-*.bin"));
        var before = File.ReadAllBytes(crash);
        Assert.Contains("exists: add --force", UsageError("shrink", crash, "-o", crash, "--fault", "pending-event-dropped"));
        Assert.Equal(before, File.ReadAllBytes(crash));
    }

    [Fact]
    public void No_output_is_written_through_a_symbolic_link_even_with_force()
    {
        var scenario = ScenarioFile();
        var target = PathOf("target.txt");
        File.WriteAllText(target, "precious");
        var link = PathOf("link.bin");
        File.CreateSymbolicLink(link, target);
        Assert.Contains("symbolic link", UsageError("encode", scenario, "-o", link, "--force"));
        Assert.Equal("precious", File.ReadAllText(target));
    }

    [Fact]
    public void Corpus_refuses_a_directory_that_is_a_symbolic_link_or_not_empty()
    {
        var real = Directory.CreateDirectory(PathOf("real")).FullName;
        var link = PathOf("corpus-link");
        Directory.CreateSymbolicLink(link, real);
        Assert.Contains("symbolic link", UsageError("corpus", "--out", link));
        Assert.Empty(Directory.GetFileSystemEntries(real));

        File.WriteAllText(Path.Combine(real, "mine.txt"), "precious");
        Assert.Contains("not empty: add --force", UsageError("corpus", "--out", real));
        Assert.Equal(["mine.txt"], Directory.GetFiles(real).Select(Path.GetFileName));
    }

    [Fact]
    public void Corpus_with_force_does_not_write_through_a_symbolic_link_inside_the_directory()
    {
        var dir = PathOf("corpus");
        Assert.Equal(0, Run("corpus", "--out", dir, "--count", "2").Code);
        var first = Directory.GetFiles(dir).Order(StringComparer.Ordinal).First();
        var target = PathOf("target.txt");
        File.WriteAllText(target, "precious");
        File.Delete(first);
        File.CreateSymbolicLink(first, target);
        Assert.Contains("symbolic link", UsageError("corpus", "--out", dir, "--count", "2", "--force"));
        Assert.Equal("precious", File.ReadAllText(target));
    }

    [Fact]
    public void Check_refuses_an_output_directory_it_cannot_create_before_running()
    {
        Assert.Contains("cannot create the directory '/proc/nope'", UsageError("check", "--out", "/proc/nope", "--iterations", "1000000"));
    }

    [Fact]
    public void Check_prints_the_report_of_a_failure_it_cannot_save()
    {
        var args = new[] { "check", "--fault", "pending-event-dropped", "--seed", "3", "--iterations", "3000", "--out", _dir };
        Assert.Equal(1, Run(args).Code);
        var saved = Assert.Single(Directory.GetFiles(_dir, "xsfuzz-failure-*.bin"));
        var target = PathOf("target.txt");
        File.WriteAllText(target, "precious");
        File.Delete(saved);
        File.CreateSymbolicLink(saved, target);

        var (code, output, err) = Run(args);
        Assert.Equal(1, code);
        // The shrunk report and the original: each with its signature (the same) and its reproducer.
        var signatures = output.Split('\n').Where(l => l.StartsWith("signature: ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(signatures);
        Assert.Single(signatures.Distinct());
        Assert.Contains(output.Split('\n'), l => l.Contains(" replay --base64 ", StringComparison.Ordinal));
        Assert.Contains("NOT saved", output);
        Assert.StartsWith("xsfuzz: cannot save the failing input: ", err);
        Assert.Equal("precious", File.ReadAllText(target));
    }

    [Fact]
    public void Check_says_when_the_failing_input_is_already_saved()
    {
        var args = new[] { "check", "--fault", "pending-event-dropped", "--seed", "3", "--iterations", "3000", "--out", _dir };
        Assert.Equal(1, Run(args).Code);
        var (code, output, _) = Run(args);
        Assert.Equal(1, code);
        Assert.Contains("the input is already in", output);
    }

    [Theory]
    [InlineData("999999999999")]
    [InlineData("366d")]
    [InlineData("99999999999999999999999999999999999999h")]
    public void A_duration_past_a_year_is_refused(string time)
    {
        Assert.Contains("at most 365 days", UsageError("check", "--time", time));
    }

    [Fact]
    public void Replay_of_an_endless_device_stops_at_the_input_cap()
    {
        Assert.Contains("input cap of 1048576 bytes", UsageError("replay", "/dev/zero"));
    }

    [Fact]
    public void An_input_one_byte_over_the_cap_is_refused()
    {
        var big = PathOf("big.bin");
        File.WriteAllBytes(big, new byte[(1 << 20) + 1]);
        Assert.Contains("input cap", UsageError("print", big));
        Assert.Contains("input cap", UsageError("replay", "--base64", Convert.ToBase64String(new byte[(1 << 20) + 1])));
    }

    [Fact]
    public void A_directory_as_input_says_so()
    {
        Assert.Contains($"'{_dir}' is a directory", UsageError("replay", _dir));
        Assert.Contains($"'{_dir}' is a directory", UsageError("encode", _dir, "-o", PathOf("out.bin")));
    }

    [Theory]
    [InlineData("repaly", "unknown command 'repaly'; did you mean 'replay'?")]
    [InlineData("chek", "unknown command 'chek'; did you mean 'check'?")]
    [InlineData("real lx", "unknown command 'lx'; did you mean 'lu'?")]
    [InlineData("zzzzzz", "unknown command 'zzzzzz' (see 'xsfuzz --help')")]
    [InlineData("", "'xsfuzz' needs a command: check, replay")]
    public void A_mistyped_command_gets_the_nearest_one(string args, string expected)
    {
        Assert.Contains(expected, UsageError(args.Split(' ', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Theory]
    [InlineData("replay --faul x", "unknown option '--faul' for 'xsfuzz replay'; did you mean '--fault'?")]
    [InlineData("replay in.bin --base46 x", "unknown option '--base46' for 'xsfuzz replay'; did you mean '--base64'?")]
    [InlineData("check --iteration 5", "unknown option '--iteration' for 'xsfuzz check'; did you mean '--iterations'?")]
    [InlineData("real lu --jbos 3", "unknown option '--jbos' for 'xsfuzz real lu'; did you mean '--jobs'?")]
    [InlineData("check --frobnicate", "unknown option '--frobnicate' for 'xsfuzz check' (see 'xsfuzz check --help')")]
    public void A_mistyped_option_gets_the_nearest_one(string args, string expected)
    {
        Assert.Contains(expected, UsageError(args.Split(' ')));
    }

    [Fact]
    public void After_a_double_dash_a_dashed_word_is_a_file_name()
    {
        Assert.Contains("cannot read '--faul'", UsageError("replay", "--", "--faul"));
    }

    [Theory]
    [InlineData("corpus --out OUT --count abc", "--count needs a whole number")]
    [InlineData("check --seed x", "--seed needs a whole number")]
    [InlineData("check --iterations 99999999999999999999", "--iterations needs a whole number (at most 9223372036854775807)")]
    public void A_bad_number_is_named_without_dotnet_types(string args, string expected)
    {
        var line = UsageError(args.Replace("OUT", PathOf("corpus"), StringComparison.Ordinal).Split(' '));
        Assert.Contains(expected, line);
        Assert.DoesNotContain("Nullable", line);
    }

    [Fact]
    public void Encode_help_says_it_wants_a_file()
    {
        var (code, output, _) = Run("encode", "--help");
        Assert.Equal(0, code);
        Assert.Contains("<SCENARIO.txt>", output);
        Assert.Contains("a file of scenario text", output);
        Assert.Contains("--force", output);
    }
}
