using XsFuzz.Harness.Corpus;

namespace XsFuzz.Triage.Findings;

/// <summary>
/// The saved inputs of a findings folder: a fuzz.sh output folder (every worker's crashes/ and hangs/,
/// and seed-crashes/), one AFL worker's folder, or any folder of input files. Hidden files, README*
/// and *.md are not inputs; the triage/ folder triage writes is never read back.
/// </summary>
public static class FindingsFolder
{
    public const string TriageFolder = "triage";

    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    public static IReadOnlyList<FindingFile> Read(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"no such folder: {folder}");
        var files = new List<FindingFile>();
        var workers = Directory.GetDirectories(folder).Where(IsWorker).Order(StringComparer.Ordinal).ToList();
        if (IsWorker(folder))
        {
            AddWorker(files, folder);
        }
        else if (workers.Count > 0)
        {
            foreach (var worker in workers) AddWorker(files, worker);
            Add(files, Path.Combine(folder, "seed-crashes"), FindingKind.SeedCrash, null);
        }
        else
        {
            Add(files, folder, FindingKind.Input, null);
        }
        return files;
    }

    private static bool IsWorker(string dir) =>
        Path.GetFileName(dir) != TriageFolder
        && (Directory.Exists(Path.Combine(dir, "queue")) || Directory.Exists(Path.Combine(dir, "crashes")));

    private static void AddWorker(List<FindingFile> files, string worker)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(worker));
        Add(files, Path.Combine(worker, "crashes"), FindingKind.Crash, name);
        Add(files, Path.Combine(worker, "hangs"), FindingKind.Hang, name);
    }

    private static void Add(List<FindingFile> files, string dir, FindingKind kind, string? worker)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var path in InputFiles.In(dir))
        {
            var name = Path.GetFileName(path);
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length == 0) continue; // nothing to replay (the CLI refuses empty inputs too)
            var found = kind is FindingKind.Crash or FindingKind.Hang ? FindingFile.TimeInName(name) : null;
            files.Add(new FindingFile(Path.GetFullPath(path), kind, worker, found, bytes));
        }
    }
}
