using System.CommandLine;
using System.Globalization;
using XsFuzz.Triage;
using XsFuzz.Triage.Campaigns;
using XsFuzz.Triage.Reports;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz replay FILE... | --base64 STR`: runs saved inputs through the plain build, with the fault of
/// the campaign each file belongs to, and prints each verdict; a failing input prints its report,
/// shrunk first (which holds "signature:" lines for scripts). A saved crash of a campaign that agrees
/// is NOT REPRODUCED, never "agree". Exit 0 if all agree, 1 if any fails or does not reproduce.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(CliIo io)
    {
        var inputs = new InputArguments();
        var findings = new FindingOptions();
        var command = new Command("replay", "replay inputs (e.g. AFL crashes) and report any disagreement, shrunk first");
        inputs.AddTo(command);
        findings.AddTo(command);
        command.SetAction(parse =>
        {
            var failed = 0;
            foreach (var (name, bytes) in inputs.Read(parse, single: false))
            {
                var path = name == "--base64" ? null : name;
                var settings = findings.Resolve(parse, path);
                if (!ReplayOne(io, name, bytes, settings, !parse.GetValue(findings.NoShrink), parse.GetValue(findings.Full))) failed++;
            }
            return failed == 0 ? XsfuzzApp.Ok : XsfuzzApp.Failed;
        });
        return command;
    }

    private static bool ReplayOne(CliIo io, string name, byte[] bytes, ReplaySettings settings, bool shrink, bool full)
    {
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== {name} ({bytes.Length} bytes)"));
        if (settings.Campaign is not null) io.Out.WriteLine("replayed with " + settings.Describe());
        var verdict = ModelHarness.Judge(bytes, settings);
        if (verdict.Kind == VerdictKind.Agree)
        {
            io.Out.Write(ModelHarness.Print(bytes, settings));
            if (settings.Campaign is not null && IsSavedCrash(name))
            {
                io.Out.WriteLine($"verdict: NOT REPRODUCED: it agrees here, but AFL saved it as a crash of this campaign (fault {settings.FaultName})");
                return false;
            }
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"verdict: agree ({verdict.Commands} commands, {verdict.LiveUpdates} live updates)"));
            return true;
        }
        io.Out.WriteLine(verdict.Kind == VerdictKind.Disagree ? "verdict: DISAGREE" : "verdict: MODEL CRASHED (not a live-update disagreement)");
        var report = ModelHarness.Report(bytes, settings) ?? "signature: " + verdict.Signature + "\n(the report could not be rebuilt)\n";
        var shrunk = shrink && verdict.Kind == VerdictKind.Disagree ? ModelHarness.Shrink(bytes, settings) : null;
        var why = !shrink ? null : verdict.Kind != VerdictKind.Disagree ? "the shrinker keeps disagreements only" : shrunk is null ? "the shrinker could not reproduce it" : null;
        io.Out.Write(FindingText.Render(report, bytes.Length, shrunk, why, full));
        return false;
    }

    /// <summary>An AFL crash file, or a seed fuzz.sh set aside because it already failed.</summary>
    private static bool IsSavedCrash(string path) =>
        Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) is "crashes" or "seed-crashes";
}
