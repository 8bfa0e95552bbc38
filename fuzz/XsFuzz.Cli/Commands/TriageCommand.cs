using System.CommandLine;
using XsFuzz.Triage.Campaigns;
using XsFuzz.Triage.Findings;
using XsFuzz.Triage.Page;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz triage FINDINGS`: in one process, replays every crash and hang of a campaign folder with the
/// campaign's fault, groups them by signature, shrinks one input per group, writes FINDINGS/triage/
/// (a folder per group, summary.txt, index.html) and prints the table. Exit 0 when triaged (whatever
/// was found), 2 for bad usage.
/// </summary>
internal static class TriageCommand
{
    public static Command Create(CliIo io)
    {
        var folder = new Argument<string>("FINDINGS") { Description = "a fuzz.sh output folder, an AFL worker folder, or a folder of inputs" };
        var force = new Option<bool>("--force") { Description = "replace FINDINGS/triage even if xsfuzz triage did not write it" };
        var noWrite = new Option<bool>("--no-write") { Description = "print the table only; write nothing" };
        var findings = new FindingOptions();
        var command = new Command("triage", "replay a findings folder, group by signature, shrink one input per group, write FINDINGS/triage/") { folder, force, noWrite };
        findings.AddTo(command);
        command.SetAction(parse =>
        {
            var path = parse.GetValue(folder)!;
            if (!Directory.Exists(path)) throw new UsageException($"no such folder: {path}");
            var settings = findings.Resolve(parse, path);
            IReadOnlyList<FindingFile> files;
            try
            {
                files = FindingsFolder.Read(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read {path}: {e.Message}");
            }
            var result = TriageRun.Run(files, settings, shrink: !parse.GetValue(findings.NoShrink));
            if (parse.GetValue(noWrite))
            {
                io.Out.Write(TriageTable.Render(path, result, settings, null));
                return XsfuzzApp.Ok;
            }
            string target;
            try
            {
                target = TriageWriter.Prepare(path, parse.GetValue(force));
            }
            catch (Exception e) when (e is CampaignException or IOException or UnauthorizedAccessException)
            {
                throw new UsageException(e.Message);
            }
            var table = TriageTable.Render(path, result, settings, target);
            var page = TriagePage.Render(Path.GetFullPath(path), result, settings, table);
            TriageWriter.Write(target, result, settings, table, page, parse.GetValue(findings.Full));
            io.Out.Write(table);
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
