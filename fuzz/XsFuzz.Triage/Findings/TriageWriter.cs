using System.Globalization;
using System.Text;
using XsFuzz.Triage.Campaigns;
using XsFuzz.Triage.Reports;

namespace XsFuzz.Triage.Findings;

/// <summary>
/// Writes FINDINGS/triage/: per group a folder N-slug/ with report.txt (the shrunk report first, then
/// the original), minimal.bin, reproduce.txt (command lines that work as printed) and files.txt (every
/// input of the group); summary.txt (the table) and index.html at the top. A triage folder is rewritten
/// by the next triage (it is marked as triage's own); any other folder there is left alone unless forced.
/// </summary>
public static class TriageWriter
{
    public const string Marker = ".xsfuzz-triage";
    public const string Page = "index.html";
    public const string Summary = "summary.txt";
    public const string ReportFile = "report.txt";
    public const string MinimalFile = "minimal.bin";
    public const string ReproduceFile = "reproduce.txt";
    public const string FilesFile = "files.txt";

    /// <summary>An empty FINDINGS/triage folder to write into.</summary>
    /// <exception cref="CampaignException">It holds something triage did not write, and force is off.</exception>
    public static string Prepare(string findings, bool force)
    {
        var folder = Path.Combine(Path.GetFullPath(findings), FindingsFolder.TriageFolder);
        if (Directory.Exists(folder))
        {
            if (!force && !File.Exists(Path.Combine(folder, Marker)))
                throw new CampaignException($"{folder} exists and was not written by xsfuzz triage: move it away, or give --force to replace it");
            Directory.Delete(folder, recursive: true);
        }
        else if (File.Exists(folder))
        {
            throw new CampaignException($"{folder} exists and is a file");
        }
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, Marker), "written by xsfuzz triage; the next triage replaces this folder\n");
        return folder;
    }

    public static void Write(string folder, TriageResult result, ReplaySettings settings, string table, string page, bool full)
    {
        foreach (var group in result.Groups)
        {
            var dir = Path.Combine(folder, group.FolderName);
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, ReportFile), Report(group, settings, full));
            File.WriteAllBytes(Path.Combine(dir, MinimalFile), group.Minimal);
            File.WriteAllText(Path.Combine(dir, ReproduceFile), Reproduce(group, settings, Path.Combine(dir, MinimalFile)));
            File.WriteAllText(Path.Combine(dir, FilesFile), Files(group));
        }
        File.WriteAllText(Path.Combine(folder, Summary), table);
        File.WriteAllText(Path.Combine(folder, Page), page);
    }

    private static string Report(TriageGroup group, ReplaySettings settings, bool full)
    {
        var head = new StringBuilder();
        head.Append("signature: ").Append(group.Signature).Append('\n');
        head.Append(string.Create(CultureInfo.InvariantCulture,
            $"group {group.Number}: {group.Files.Count} file(s), first found {group.First.FoundText}: {group.First.Path}\n"));
        head.Append("replayed with ").Append(settings.Describe()).Append('\n');
        head.Append("representative (the smallest): ").Append(group.Representative.Path).Append('\n');
        if (group.Report is null)
        {
            head.Append("\nIt agrees when replayed here: ");
            head.Append(group.Signature == TriageRun.HangAgrees
                ? "AFL stopped it at its time limit (-t), which a loaded machine can exceed; nothing disagreed.\n"
                : "AFL saw the target fail on it, the plain build does not. Check that the campaign's fault is the one above.\n");
            return head.Append('\n').Append(ModelHarness.Print(group.Representative.Bytes, settings)).ToString();
        }
        head.Append('\n');
        return head + FindingText.Render(group.Report, group.Representative.Bytes.Length, group.Shrunk, group.NotShrunk, full);
    }

    private static string Reproduce(TriageGroup group, ReplaySettings settings, string minimal)
    {
        var xsfuzz = ProgramName.Quote(ProgramName.Current);
        var fault = (settings.FaultName == "none" ? "" : " --fault " + settings.FaultName)
            + (settings.ConfigName is { } config ? " --config " + ProgramName.Quote(config) : "");
        var text = new StringBuilder();
        text.Append("# ").Append(group.Number.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(group.Signature).Append('\n');
        if (settings.Campaign is not null)
        {
            text.Append("# the minimal input; its campaign's fault and configuration are read from ").Append(settings.Campaign.MarkerPath).Append('\n');
            text.Append(xsfuzz).Append(" replay ").Append(ProgramName.Quote(minimal)).Append('\n');
        }
        else
        {
            text.Append("# the minimal input\n");
            text.Append(xsfuzz).Append(" replay ").Append(ProgramName.Quote(minimal)).Append(fault).Append('\n');
        }
        text.Append("# the same input anywhere (base64, with its fault and configuration)\n");
        text.Append(xsfuzz).Append(" replay --base64 ").Append(Convert.ToBase64String(group.Minimal)).Append(fault).Append('\n');
        text.Append("# the original input\n");
        text.Append(xsfuzz).Append(" replay ").Append(ProgramName.Quote(group.Representative.Path))
            .Append(settings.Campaign is null ? fault : "").Append('\n');
        return text.ToString();
    }

    private static string Files(TriageGroup group)
    {
        var text = new StringBuilder();
        foreach (var f in group.Files)
            text.Append(string.Create(CultureInfo.InvariantCulture, $"{f.FoundText,-14}  {f.Bytes.Length,6} bytes  {f.Path}\n"));
        return text.ToString();
    }
}
