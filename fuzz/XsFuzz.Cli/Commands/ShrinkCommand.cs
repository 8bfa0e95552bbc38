using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XsFuzz.Harness.Shrinking;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz shrink FILE -o OUT`: minimises a failing input on the scenario level (see Shrinker), writes
/// the smaller input and prints the smaller scenario with sizes and time.
/// </summary>
internal static class ShrinkCommand
{
    public static Command Create(CliIo io)
    {
        var file = new Argument<string>("FILE") { Description = "a failing input" };
        var output = new Option<string>("--output", "-o") { Description = "where to write the smaller input", Required = true, HelpName = "OUT" };
        var fault = CommonOptions.Fault();
        var maxCommands = CommonOptions.MaxCommands();
        var command = new Command("shrink", "minimise a failing input, keeping the same failure") { file, output, fault, maxCommands };
        command.SetAction(parse =>
        {
            var faultValue = CommonOptions.ParseFault(parse.GetValue(fault));
            var options = CommonOptions.Harness(parse.GetValue(maxCommands));
            var input = CommonOptions.ReadInput(parse.GetValue(file)!);
            var clock = Stopwatch.StartNew();
            ShrinkResult result;
            try
            {
                result = Shrinker.Shrink(input, faultValue, options);
            }
            catch (InvalidOperationException e)
            {
                io.Err.WriteLine("xsfuzz: " + e.Message);
                return XsfuzzApp.Failed;
            }
            var outPath = parse.GetValue(output)!;
            CommonOptions.WriteOutput(outPath, result.Input);
            io.Out.Write(result.Shrunk.ToString());
            io.Out.WriteLine("signature: " + result.Signature);
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shrunk {result.OriginalInput.Length} -> {result.Input.Length} bytes, {result.Original.Commands.Count} -> {result.Shrunk.Commands.Count} commands, {result.Original.Nodes.Count} -> {result.Shrunk.Nodes.Count} initial nodes, {result.Runs} runs in {clock.Elapsed.TotalSeconds:F2} s; written to {outPath}"));
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
