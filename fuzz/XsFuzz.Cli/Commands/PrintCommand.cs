using System.CommandLine;
using XsFuzz.Triage;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz print FILE`: the scenario an input decodes to, as text (parseable by `xsfuzz encode`); for
/// a file of a campaign, a comment line says which fault it was fuzzed with.
/// </summary>
internal static class PrintCommand
{
    public static Command Create(CliIo io)
    {
        var inputs = new InputArguments();
        var findings = new FindingOptions();
        var command = new Command("print", "print the scenario an input decodes to");
        inputs.AddTo(command);
        findings.AddTo(command, shrinking: false, reports: false);
        command.SetAction(parse =>
        {
            var (name, bytes) = inputs.Read(parse, single: true)[0];
            var settings = findings.Resolve(parse, name == "--base64" ? null : name);
            var text = ModelHarness.Print(bytes, settings);
            if (settings.Campaign is not null)
            {
                // After the header line, so that the text still starts like every scenario text.
                var end = text.IndexOf('\n', StringComparison.Ordinal) + 1;
                text = text[..end] + "# replayed with " + settings.Describe() + "\n" + text[end..];
            }
            io.Out.Write(text);
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
