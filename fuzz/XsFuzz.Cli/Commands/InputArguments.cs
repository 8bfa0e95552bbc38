using System.CommandLine;

namespace XsFuzz.Cli.Commands;

/// <summary>The "FILE... or --base64 STR" inputs of replay and print, read and validated.</summary>
internal sealed class InputArguments
{
    public Argument<string[]> Files { get; } = new("FILE") { Description = "input files (raw bytes)", Arity = ArgumentArity.ZeroOrMore };
    public Option<string?> Base64 { get; } = new("--base64") { Description = "an input given as base64 instead of a file", HelpName = "STR" };

    public void AddTo(Command command)
    {
        command.Add(Files);
        command.Add(Base64);
    }

    /// <summary>(name, bytes) of every input; usage errors for none, both, unreadable or empty.</summary>
    public List<(string Name, byte[] Bytes)> Read(ParseResult parse, bool single)
    {
        var files = parse.GetValue(Files) ?? [];
        var base64 = parse.GetValue(Base64);
        if (files.Length == 0 && base64 is null) throw new UsageException("give an input FILE or --base64 STR");
        if (files.Length > 0 && base64 is not null) throw new UsageException("give either FILE or --base64, not both");
        if (single && files.Length > 1) throw new UsageException("this command takes one input");
        if (base64 is not null) return [("--base64", CommonOptions.ReadBase64(base64))];
        return files.Select(f => (f, CommonOptions.ReadInput(f))).ToList();
    }
}
