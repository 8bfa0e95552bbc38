using XsFuzz.Cli;

namespace XsFuzz.Real.Tests;

/// <summary>`xsfuzz real` argument checks: all fail before any sandbox is needed.</summary>
public class CliTests
{
    private static (int Code, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = XsfuzzApp.Run(args, output, error);
        return (code, error.ToString());
    }

    [Theory]
    [InlineData("real", "diff", "--daemon", "xenstored")]
    [InlineData("real", "lu", "--daemon", "qemu")]
    [InlineData("real", "lu", "--force")]
    [InlineData("real", "diff", "--force", "--daemon", "xenstored")]
    [InlineData("real", "lu", "--lu-over-socket", "--daemon", "xenstored")]
    [InlineData("real", "lu", "--jobs", "0")]
    [InlineData("real", "lu", "--count", "0")]
    [InlineData("real", "lu", "--time", "soon")]
    [InlineData("real", "lu", "/no/such/input")]
    [InlineData("real", "lu", "--base64", "!!")]
    [InlineData("real", "lu", "--known", "/no/such/allow-list")]
    [InlineData("real", "diff", "--config", "no-such-config")]
    public void Bad_usage_exits_2(params string[] args)
    {
        var (code, err) = Run(args);
        Assert.Equal(XsfuzzApp.Usage, code);
        Assert.StartsWith("xsfuzz: ", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("small-quotas", "quota-maxentity = 8")]
    [InlineData("merge-off", "merge-activate = false")]
    public void The_C_daemon_refuses_a_configuration_it_has_no_equivalent_of(string config, string setting)
    {
        var (code, err) = Run("real", "lu", "--daemon", "xenstored", "--config", config);
        Assert.Equal(XsfuzzApp.Usage, code);
        Assert.Contains($"--config {config}: xenstored has no equivalent of ", err);
        Assert.Contains(setting, err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_config_file_is_read_with_the_grammar_of_check_and_its_errors_name_the_line()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "quota-maxwatch = 3\npid-file = /run/x\n");
            var (code, err) = Run("real", "diff", "--config", file);
            Assert.Equal(XsfuzzApp.Usage, code);
            Assert.Contains("line 2: unknown key 'pid-file'", err);
            // Debian's own settings are no setting the C daemon lacks: the next check (the input) speaks.
            File.WriteAllText(file, "merge-activate = true\n");
            (code, err) = Run("real", "lu", "--daemon", "xenstored", "--config", file, "--base64", "!!");
            Assert.Equal(XsfuzzApp.Usage, code);
            Assert.DoesNotContain("no equivalent", err);
            Assert.Contains("base64", err);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Without --config oxenstored runs each input's own configuration, decoded as check and replay
    /// decode it (issue 11's input chooses small-quotas); the C daemon, which has only Debian's, decodes
    /// with Debian's pinned as before; --config pins it for both.
    /// </summary>
    [Fact]
    public void Inputs_choose_their_configuration_as_in_check_unless_pinned()
    {
        var input = Convert.FromBase64String("AAAF/44B/47/QAAABZYAyBD/ov+O/xwB//9m");
        Assert.Equal("small-quotas", Harness.ScenarioDecoder.Decode(input, Cli.Commands.RealCommand.Harness(RealDaemons.Sandbox.DaemonKind.Oxenstored, null, null)).Config);
        Assert.Equal("debian", Harness.ScenarioDecoder.Decode(input, Cli.Commands.RealCommand.Harness(RealDaemons.Sandbox.DaemonKind.Xenstored, null, null)).Config);
        var pinned = Cli.Commands.RealCommand.Harness(RealDaemons.Sandbox.DaemonKind.Oxenstored, null, "quota-off");
        Assert.Equal("quota-off", Harness.ScenarioDecoder.Decode(input, pinned).Config);
    }
}
