using XsFuzz.Cli;

namespace XsFuzz.Harness.Tests;

/// <summary>`xsfuzz libfuzzer` outside its driver: a one-line usage error, never SharpFuzz's fallback
/// (which would read the word "libfuzzer" as an input file). The engine itself is checked end to end by
/// scripts/test-libfuzzer.sh.</summary>
public sealed class LibFuzzerCommandTests
{
    private static (int Code, string Err) Run(params string[] args)
    {
        var error = new StringWriter();
        var code = XsfuzzApp.Run(args, new StringWriter(), error);
        return (code, error.ToString());
    }

    [Fact]
    public void Without_the_driver_it_says_so_and_exits_2()
    {
        Assert.Null(Environment.GetEnvironmentVariable("__LIBFUZZER_SHM_ID"));
        var (code, err) = Run("libfuzzer");
        Assert.Equal(2, code);
        Assert.StartsWith("xsfuzz: 'xsfuzz libfuzzer' only runs under the libFuzzer driver", err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void An_unknown_fault_is_a_usage_error()
    {
        var (code, err) = Run("libfuzzer", "--fault", "no-such-fault");
        Assert.Equal(2, code);
        Assert.StartsWith("xsfuzz: unknown fault 'no-such-fault'", err);
    }
}
