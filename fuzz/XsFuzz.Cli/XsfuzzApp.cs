using System.CommandLine;
using XsFuzz.Cli.Commands;

namespace XsFuzz.Cli;

/// <summary>
/// Wires the commands into one System.CommandLine root and maps outcomes to exit codes:
/// 0 success / all agree, 1 a disagreement (or a failure to report), 2 bad usage or unreadable input.
/// </summary>
public static class XsfuzzApp
{
    public const int Ok = 0, Failed = 1, Usage = 2;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var io = new CliIo(output, error);
        var root = new RootCommand("xsfuzz: fuzzes the live update of a model of oxenstored 4.17")
        {
            CheckCommand.Create(io),
            ReplayCommand.Create(io),
            PrintCommand.Create(io),
            ShrinkCommand.Create(io),
            TriageCommand.Create(io),
            EncodeCommand.Create(io),
            CorpusCommand.Create(io),
            SeedsCommand.Create(io),
            DictionaryCommand.Create(io),
            FaultsCommand.Create(io),
            BenchLiveUpdateCommand.Create(io),
            BenchRestoreCommand.Create(io),
            BenchHarnessCommand.Create(io),
            AflCommand.Create(io),
            LibFuzzerCommand.Create(io),
            ServeCommand.Create(io),
            ControlCommand.Create(io),
            RealCommand.Create(io),
        };
        var parsed = root.Parse(args);
        if (ParseErrors.Explain(parsed, args) is { } problem)
        {
            error.WriteLine("xsfuzz: " + problem);
            return Usage;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            error.WriteLine("xsfuzz: " + e.Message);
            return Usage;
        }
    }
}

/// <summary>Where a command writes (the tests capture both).</summary>
public sealed record CliIo(TextWriter Out, TextWriter Err);

/// <summary>Bad arguments or unreadable input: reported as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
