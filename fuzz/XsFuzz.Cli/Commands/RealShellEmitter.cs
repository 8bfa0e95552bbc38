using XsFuzz.Harness;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Campaign;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz real lu|diff ... --emit-shell FILE`: runs one input once on fresh daemons and writes the
/// finding as a shell script of xenstore-utils commands for a real Xen host (see ShellReproducer).
/// Exit 0 when written, 1 when the input did not disagree on this run (nothing written).
/// </summary>
internal static class RealShellEmitter
{
    public static int Emit(CliIo io, RunDescription run, RunSettings settings, HarnessOptions harness, SandboxLayout layout,
        CampaignInput input, string file)
    {
        if (File.Exists(file) || Directory.Exists(file)) throw new UsageException($"{file} exists: remove it first (it is never overwritten)");
        Scenario scenario;
        try
        {
            scenario = input.Scenario(harness);
        }
        catch (ScenarioFormatException e)
        {
            throw new UsageException($"{input.Name}: {e.Message}");
        }
        // The script runs on a host with that host's own oxenstored.conf, which it does not set.
        if (OxenstoredConf.Differences(harness.ConfigOf(scenario).Config, XenstoredConfig.Debian) is { Count: > 0 } differences)
            throw new UsageException($"--emit-shell: {input.Name} runs configuration {scenario.Config} ({string.Join(", ", differences)}); a script is written for Debian's configuration only");
        var mapped = ScenarioMapper.Map(scenario);
        ScenarioOutcome outcome;
        try
        {
            outcome = new ScenarioRunner(layout, run, settings, harness: harness).Execute(mapped.Runnable);
        }
        catch (SandboxException e)
        {
            throw new UsageException("sandbox: " + e.Message);
        }
        if (outcome.Divergence is not { } divergence)
        {
            io.Err.WriteLine($"xsfuzz: {input.Name} did not disagree on this run of real {run.Command} --daemon {run.Kind.Name()}: no script written");
            return XsfuzzApp.Failed;
        }
        CommonOptions.WriteOutput(file, System.Text.Encoding.Latin1.GetBytes(ShellReproducer.Render(run, mapped.Runnable, divergence)), force: false);
        io.Out.WriteLine($"signature: {divergence.Signature}");
        io.Out.WriteLine($"written to {file} (sh {file}, as root in dom0 of a Xen host running {run.Kind.Name()})");
        return XsfuzzApp.Ok;
    }
}
