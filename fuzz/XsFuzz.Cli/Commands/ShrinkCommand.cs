using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XsFuzz.Triage;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz shrink FILE -o OUT [--force]`: minimises a failing input on the scenario level (the fault
/// comes from the file's campaign, as for replay), writes the smaller input and prints the smaller
/// scenario with sizes and time.
/// </summary>
internal static class ShrinkCommand
{
    public static Command Create(CliIo io)
    {
        var file = new Argument<string>("FILE") { Description = "a failing input" };
        var output = new Option<string>("--output", "-o") { Description = "where to write the smaller input", Required = true, HelpName = "OUT" };
        var findings = new FindingOptions();
        var force = CommonOptions.Force();
        var command = new Command("shrink", "minimise a failing input, keeping the same failure") { file, output, force };
        findings.AddTo(command, shrinking: false, reports: false);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var input = CommonOptions.ReadInput(path);
            var settings = findings.Resolve(parse, path);
            var outPath = parse.GetValue(output)!;
            CommonOptions.CheckOutput(outPath, parse.GetValue(force));
            var clock = Stopwatch.StartNew();
            if (ModelHarness.Shrink(input, settings) is not { } shrunk)
            {
                io.Err.WriteLine($"xsfuzz: {path} does not disagree when replayed with {settings.Describe()}: nothing to shrink");
                return XsfuzzApp.Failed;
            }
            io.Out.Write(ModelHarness.Print(shrunk.Input, settings));
            io.Out.WriteLine("signature: " + shrunk.Signature);
            try
            {
                CommonOptions.WriteOutput(outPath, shrunk.Input, parse.GetValue(force));
            }
            catch (UsageException e)
            {
                // The shrinking is not lost: the smaller input is printed instead.
                io.Err.WriteLine($"xsfuzz: the smaller input was not saved: {e.Message}; it is: --base64 {Convert.ToBase64String(shrunk.Input)}");
                return XsfuzzApp.Failed;
            }
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shrunk {input.Length} -> {shrunk.Input.Length} bytes, {shrunk.OriginalCommands} -> {shrunk.Commands} commands, {shrunk.Runs} runs in {clock.Elapsed.TotalSeconds:F2} s; written to {outPath}"));
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
