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
    public void Bad_usage_exits_2(params string[] args)
    {
        var (code, err) = Run(args);
        Assert.Equal(XsfuzzApp.Usage, code);
        Assert.StartsWith("xsfuzz: ", err, StringComparison.Ordinal);
    }
}
