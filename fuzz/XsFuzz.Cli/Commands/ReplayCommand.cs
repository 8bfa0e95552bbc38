using System.CommandLine;
using System.Globalization;
using XsFuzz.Harness;
using XsFuzz.Harness.Reporting;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz replay FILE... | --base64 STR`: runs saved inputs through the plain build and prints each
/// scenario and verdict; a failing input prints the full report, which holds one "signature:" line for
/// scripts that group crashes. Exit 0 if all agree, 1 if any disagrees.
/// </summary>
internal static class ReplayCommand
{
    public static Command Create(CliIo io)
    {
        var inputs = new InputArguments();
        var fault = CommonOptions.Fault();
        var maxCommands = CommonOptions.MaxCommands();
        var command = new Command("replay", "replay inputs (e.g. AFL crashes) and report any disagreement");
        inputs.AddTo(command);
        command.Add(fault);
        command.Add(maxCommands);
        command.SetAction(parse =>
        {
            var faultValue = CommonOptions.ParseFault(parse.GetValue(fault));
            var options = CommonOptions.Harness(parse.GetValue(maxCommands));
            var failed = 0;
            foreach (var (name, bytes) in inputs.Read(parse, single: false))
            {
                if (!ReplayOne(io, name, bytes, faultValue, options)) failed++;
            }
            return failed == 0 ? XsfuzzApp.Ok : XsfuzzApp.Failed;
        });
        return command;
    }

    private static bool ReplayOne(CliIo io, string name, byte[] bytes, Xenstore.Migration.LiveUpdateFault fault, HarnessOptions options)
    {
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"== {name} ({bytes.Length} bytes)"));
        try
        {
            var stats = Agreement.Check(bytes, fault, options);
            io.Out.Write(ScenarioDecoder.Decode(bytes, options).ToString());
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"verdict: agree ({stats.Commands} commands, {stats.LiveUpdates} live updates)"));
            return true;
        }
        catch (Disagreement d)
        {
            io.Out.WriteLine("verdict: DISAGREE");
            io.Out.Write(d.Report);
            return false;
        }
        catch (Exception e)
        {
            io.Out.WriteLine("verdict: MODEL CRASHED (not a live-update disagreement)");
            io.Out.WriteLine("signature: model threw " + e.GetType().Name);
            io.Out.WriteLine(e.ToString());
            return false;
        }
    }
}
