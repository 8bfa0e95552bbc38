using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XsFuzz.Harness.Shrinking;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz shrink FILE -o OUT [--force]`: minimises a failing input on the scenario level (see Shrinker), writes
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
        var force = CommonOptions.Force();
        var command = new Command("shrink", "minimise a failing input, keeping the same failure") { file, output, fault, maxCommands, force };
        command.SetAction(parse =>
        {
            var faultValue = CommonOptions.ParseFault(parse.GetValue(fault));
            var options = CommonOptions.Harness(parse.GetValue(maxCommands));
            var input = CommonOptions.ReadInput(parse.GetValue(file)!);
            var outPath = parse.GetValue(output)!;
            CommonOptions.CheckOutput(outPath, parse.GetValue(force));
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
            io.Out.Write(result.Shrunk.ToString());
            io.Out.WriteLine("signature: " + result.Signature);
            try
            {
                CommonOptions.WriteOutput(outPath, result.Input, parse.GetValue(force));
            }
            catch (UsageException e)
            {
                // The shrinking is not lost: the smaller input is printed instead.
                io.Err.WriteLine($"xsfuzz: the smaller input was not saved: {e.Message}; it is: --base64 {Convert.ToBase64String(result.Input)}");
                return XsfuzzApp.Failed;
            }
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"shrunk {result.OriginalInput.Length} -> {result.Input.Length} bytes, {result.Original.Commands.Count} -> {result.Shrunk.Commands.Count} commands, {result.Original.Nodes.Count} -> {result.Shrunk.Nodes.Count} initial nodes, {result.Runs} runs in {clock.Elapsed.TotalSeconds:F2} s; written to {outPath}"));
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
