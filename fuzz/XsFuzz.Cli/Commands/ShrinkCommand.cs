using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XsFuzz.Triage;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz shrink FILE -o OUT`: minimises a failing input on the scenario level (the fault comes from
/// the file's campaign, as for replay), writes the smaller input and prints the smaller scenario with
/// sizes and time.
/// </summary>
internal static class ShrinkCommand
{
    public static Command Create(CliIo io)
    {
        var file = new Argument<string>("FILE") { Description = "a failing input" };
        var output = new Option<string>("--output", "-o") { Description = "where to write the smaller input", Required = true, HelpName = "OUT" };
        var findings = new FindingOptions();
        var command = new Command("shrink", "minimise a failing input, keeping the same failure") { file, output };
        findings.AddTo(command, shrinking: false, reports: false);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var input = CommonOptions.ReadInput(path);
            var settings = findings.Resolve(parse, path);
            var clock = Stopwatch.StartNew();
            if (ModelHarness.Shrink(input, settings) is not { } shrunk)
            {
                io.Err.WriteLine($"xsfuzz: {path} does not disagree when replayed with {settings.Describe()}: nothing to shrink");
                return XsfuzzApp.Failed;
            }
            var outPath = parse.GetValue(output)!;
            CommonOptions.WriteOutput(outPath, shrunk.Input);
            io.Out.Write(ModelHarness.Print(shrunk.Input, settings));
            io.Out.WriteLine("signature: " + shrunk.Signature);
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shrunk {input.Length} -> {shrunk.Input.Length} bytes, {shrunk.OriginalCommands} -> {shrunk.Commands} commands, {shrunk.Runs} runs in {clock.Elapsed.TotalSeconds:F2} s; written to {outPath}"));
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
