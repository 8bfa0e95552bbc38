using System.CommandLine;
using System.Globalization;
using XsFuzz.Harness;
using XsFuzz.Harness.Corpus;
using XsFuzz.Harness.Reporting;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz seeds DIR --set-aside OUT [--fault NAME] [--config NAME|FILE]`: replays every input file of DIR in this one process
/// and moves each that already fails (a disagreement or a model crash) into OUT, so that afl-fuzz starts
/// only from seeds that pass (it skips crashing seeds, and stops when none is left). scripts/fuzz.sh runs
/// it on its copy of the seeds when a campaign has a planted fault: one .NET start-up for the whole
/// corpus instead of one per seed.
/// </summary>
internal static class SeedsCommand
{
    public static Command Create(CliIo io)
    {
        var dir = new Argument<string>("DIR") { Description = "a folder of seed inputs (its files; hidden files, README* and *.md are not inputs)" };
        var setAside = new Option<string>("--set-aside") { Description = "folder to move the failing seeds into (created if missing)", Required = true, HelpName = "OUT" };
        var fault = CommonOptions.Fault();
        var maxCommands = CommonOptions.MaxCommands();
        var config = CommonOptions.Config();
        var command = new Command("seeds", "replay every seed of a folder in one process and set aside those that already fail")
        {
            dir, setAside, fault, maxCommands, config,
        };
        command.SetAction(parse =>
        {
            var faultValue = CommonOptions.ParseFault(parse.GetValue(fault));
            var options = CommonOptions.Harness(parse.GetValue(maxCommands), parse.GetValue(config));
            var folder = parse.GetValue(dir)!;
            if (!Directory.Exists(folder)) throw new UsageException($"'{folder}' is not a directory");
            var outDir = parse.GetValue(setAside)!;
            CommonOptions.PrepareOutputDirectory(outDir, mustBeEmpty: false, force: false);
            var files = InputFiles.In(folder);
            var failing = 0;
            foreach (var file in files)
            {
                if (Failure(CommonOptions.ReadInput(file), faultValue, options) is not { } signature) continue;
                var target = Path.Combine(outDir, Path.GetFileName(file));
                if (File.Exists(target) || Directory.Exists(target)) throw new UsageException($"'{target}' exists: the seed '{file}' is not moved over it");
                File.Move(file, target);
                io.Out.WriteLine($"set aside {Path.GetFileName(file)}: {signature}");
                failing++;
            }
            io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seeds: {files.Count} replayed, {files.Count - failing} agree, {failing} already fail (moved to {outDir})"));
            return XsfuzzApp.Ok;
        });
        return command;
    }

    /// <summary>The failure's signature line, or null when the input agrees.</summary>
    private static string? Failure(byte[] input, Xenstore.Migration.LiveUpdateFault fault, HarnessOptions options)
    {
        try
        {
            Agreement.Check(input, fault, options);
            return null;
        }
        catch (Disagreement d)
        {
            return d.Signature;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "model threw " + e.GetType().Name;
        }
    }
}
