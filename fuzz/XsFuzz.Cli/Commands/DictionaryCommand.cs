using System.CommandLine;
using System.Globalization;
using XsFuzz.Harness;
using XsFuzz.Harness.Corpus;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz dictionary -o FILE [--force]`: writes an AFL dictionary of the model's vocabulary (see
/// <see cref="AflDictionary"/>) for `scripts/fuzz.sh -- -x FILE`.
/// </summary>
internal static class DictionaryCommand
{
    public static Command Create(CliIo io)
    {
        var output = new Option<string>("--output", "-o") { Description = "where to write the dictionary", Required = true, HelpName = "FILE" };
        var force = CommonOptions.Force();
        var command = new Command("dictionary", "write an AFL dictionary (afl-fuzz -x) of the model's vocabulary") { output, force };
        command.SetAction(parse =>
        {
            var entries = AflDictionary.Entries(HarnessOptions.Default);
            var path = parse.GetValue(output)!;
            CommonOptions.WriteOutput(path, System.Text.Encoding.Latin1.GetBytes(AflDictionary.Format(entries)), parse.GetValue(force));
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {entries.Count} entries to {path}"));
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
