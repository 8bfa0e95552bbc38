using System.CommandLine;
using XsFuzz.Harness;

namespace XsFuzz.Cli.Commands;

/// <summary>`xsfuzz print FILE`: the scenario an input decodes to, as text (parseable by `xsfuzz encode`).</summary>
internal static class PrintCommand
{
    public static Command Create(CliIo io)
    {
        var inputs = new InputArguments();
        var maxCommands = CommonOptions.MaxCommands();
        var command = new Command("print", "print the scenario an input decodes to");
        inputs.AddTo(command);
        command.Add(maxCommands);
        command.SetAction(parse =>
        {
            var options = CommonOptions.Harness(parse.GetValue(maxCommands));
            var (_, bytes) = inputs.Read(parse, single: true)[0];
            io.Out.Write(ScenarioDecoder.Decode(bytes, options).ToString());
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
