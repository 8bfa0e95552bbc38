using System.CommandLine;
using System.Globalization;
using XsFuzz.Harness;
using XsFuzz.Harness.Scenarios;
using Command = System.CommandLine.Command;

namespace XsFuzz.Cli.Commands;

/// <summary>`xsfuzz encode SCENARIO.txt -o OUT [--force]`: scenario text (as `print` writes it) to an input file.</summary>
internal static class EncodeCommand
{
    public static Command Create(CliIo io)
    {
        var file = new Argument<string>("SCENARIO.txt") { Description = "a file of scenario text, as 'xsfuzz print' writes it" };
        var output = new Option<string>("--output", "-o") { Description = "where to write the input", Required = true, HelpName = "OUT" };
        var maxCommands = CommonOptions.MaxCommands();
        var force = CommonOptions.Force();
        var command = new Command("encode", "turn a file of scenario text into an input that decodes to it") { file, output, maxCommands, force };
        command.SetAction(parse =>
        {
            var options = CommonOptions.Harness(parse.GetValue(maxCommands));
            var path = parse.GetValue(file)!;
            CommonOptions.CheckOutput(parse.GetValue(output)!, parse.GetValue(force));
            var text = System.Text.Encoding.Latin1.GetString(CommonOptions.ReadInput(path));
            Scenario scenario;
            byte[] bytes;
            try
            {
                scenario = ScenarioParser.Parse(text);
                bytes = ScenarioEncoder.Encode(scenario, options);
            }
            catch (Exception e) when (e is ScenarioFormatException or ArgumentException)
            {
                throw new UsageException($"{path}: {e.Message}");
            }
            if (ScenarioDecoder.Decode(bytes, options) != scenario)
                throw new UsageException($"{path}: the scenario does not survive encoding (please report: the encoder has a bug)");
            CommonOptions.WriteOutput(parse.GetValue(output)!, bytes, parse.GetValue(force));
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{scenario.Commands.Count} commands -> {bytes.Length} bytes"));
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
