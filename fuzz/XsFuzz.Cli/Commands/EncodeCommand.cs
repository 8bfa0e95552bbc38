using System.CommandLine;
using System.Globalization;
using XsFuzz.Harness;
using XsFuzz.Harness.Scenarios;
using Command = System.CommandLine.Command;

namespace XsFuzz.Cli.Commands;

/// <summary>`xsfuzz encode SCENARIO.txt -o OUT`: scenario text (as `print` writes it) to an input file.</summary>
internal static class EncodeCommand
{
    public static Command Create(CliIo io)
    {
        var file = new Argument<string>("SCENARIO") { Description = "scenario text" };
        var output = new Option<string>("--output", "-o") { Description = "where to write the input", Required = true, HelpName = "OUT" };
        var maxCommands = CommonOptions.MaxCommands();
        var command = new Command("encode", "turn scenario text into an input that decodes to it") { file, output, maxCommands };
        command.SetAction(parse =>
        {
            var options = CommonOptions.Harness(parse.GetValue(maxCommands));
            var path = parse.GetValue(file)!;
            string text;
            try
            {
                text = File.ReadAllText(path, System.Text.Encoding.Latin1);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new UsageException($"cannot read '{path}': {e.Message}");
            }
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
            CommonOptions.WriteOutput(parse.GetValue(output)!, bytes);
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{scenario.Commands.Count} commands -> {bytes.Length} bytes"));
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
