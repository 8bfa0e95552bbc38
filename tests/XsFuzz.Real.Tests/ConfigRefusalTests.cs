using XsFuzz.Harness;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.Real.Tests;

/// <summary>Which configurations a sandbox cannot run, decided before any daemon starts.</summary>
public class ConfigRefusalTests
{
    private static ScenarioRunner Runner(DaemonKind kind, int binaryLength) =>
        new(new SandboxLayout("/sandbox.sh", "/cache", "/cache/run", "/" + new string('o', binaryLength - 1), "/" + new string('c', binaryLength - 1)),
            new RunDescription(PairMode.LiveUpdate, kind), RunSettings.Default, harness: HarnessOptions.Default);

    private static Scenario WithConfig(string name) => ScenarioParser.Parse($"{ScenarioText.Header}\nconfig {name}\nD0 tx0 READ /\n");

    [Fact]
    public void Oxenstored_runs_every_variant_when_its_path_fits_quota_maxsize()
    {
        foreach (var variant in Xenstore.ConfigVariants.All) Assert.Null(Runner(DaemonKind.Oxenstored, 64).Refusal(WithConfig(variant.Name)));
    }

    /// <summary>oxenstored writes its own path to /tool/xenstored at start and dies of a value over quota-maxsize.</summary>
    [Fact]
    public void Oxenstored_whose_path_is_over_quota_maxsize_cannot_run_it()
    {
        var why = Runner(DaemonKind.Oxenstored, 65).Refusal(WithConfig("small-quotas"));
        Assert.StartsWith("oxenstored cannot start with quota-maxsize = 64: its path /ooo", why);
        Assert.Null(Runner(DaemonKind.Oxenstored, 65).Refusal(WithConfig("debian")));
    }

    [Fact]
    public void The_C_daemon_runs_Debians_configuration_only()
    {
        Assert.Null(Runner(DaemonKind.Xenstored, 20).Refusal(WithConfig("debian")));
        Assert.Equal("xenstored has no equivalent of quota-activate = false (it runs Debian's configuration only)",
            Runner(DaemonKind.Xenstored, 20).Refusal(WithConfig("quota-off")));
    }
}
