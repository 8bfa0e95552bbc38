using System.Diagnostics;
using System.Security.Cryptography;
using XsFuzz.Triage.Campaigns;

namespace XsFuzz.Triage.Findings;

/// <summary>What triage found: the groups, in the order they were first found, and the work done.</summary>
public sealed record TriageResult(
    IReadOnlyList<TriageGroup> Groups, int Files, int DistinctInputs, int Agreeing, TimeSpan ReplayTime, TimeSpan ShrinkTime);

/// <summary>
/// Replays every saved input once per distinct content in this process, groups the failures by
/// signature, and builds the report of one representative per group, shrunk unless asked not to.
/// A saved crash that agrees on replay is not dropped: it forms a "not reproduced" group, because
/// AFL saw it fail and the reader must know that replay did not.
/// </summary>
public static class TriageRun
{
    public const string NotReproduced = "not reproduced: agrees on replay, though AFL saved it as a crash";
    public const string HangAgrees = "hang: agrees on replay (AFL's time limit was exceeded)";

    public static TriageResult Run(IReadOnlyList<FindingFile> files, ReplaySettings settings, bool shrink)
    {
        var clock = Stopwatch.StartNew();
        var verdicts = new Dictionary<string, Verdict>(StringComparer.Ordinal);
        var bySignature = new Dictionary<string, (VerdictKind Kind, List<FindingFile> Files)>(StringComparer.Ordinal);
        var agreeing = 0;
        foreach (var file in files.OrderBy(FoundOrder).ThenBy(f => f.Path, StringComparer.Ordinal))
        {
            var hash = Convert.ToHexString(SHA256.HashData(file.Bytes));
            if (!verdicts.TryGetValue(hash, out var verdict)) verdicts[hash] = verdict = ModelHarness.Judge(file.Bytes, settings);
            var signature = verdict.Signature ?? file.Kind switch
            {
                FindingKind.Hang => HangAgrees,
                FindingKind.Crash or FindingKind.SeedCrash => NotReproduced,
                _ => null,
            };
            if (signature is null)
            {
                agreeing++;
                continue;
            }
            if (!bySignature.TryGetValue(signature, out var group)) bySignature[signature] = group = (verdict.Kind, []);
            group.Files.Add(file);
        }
        var replayTime = clock.Elapsed;

        var number = 0;
        var groups = bySignature.Select(g => new TriageGroup(++number, g.Key, g.Value.Kind, g.Value.Files)).ToList();
        clock.Restart();
        foreach (var group in groups)
        {
            if (group.Verdict == VerdictKind.Agree)
            {
                group.NotShrunk = "it does not fail on replay";
                continue;
            }
            group.Report = ModelHarness.Report(group.Representative.Bytes, settings);
            if (!shrink) group.NotShrunk = "shrinking was switched off";
            else if (group.Verdict == VerdictKind.ModelCrashed) group.NotShrunk = "the shrinker keeps disagreements only, and the model threw";
            else if (ModelHarness.Shrink(group.Representative.Bytes, settings) is { } shrunk) group.Shrunk = shrunk;
            else group.NotShrunk = "the shrinker could not reproduce it";
        }
        return new TriageResult(groups, files.Count, verdicts.Count, agreeing, replayTime, clock.Elapsed);
    }

    /// <summary>Seed crashes were there before fuzzing began; files without a time come last.</summary>
    private static long FoundOrder(FindingFile f) =>
        f.Kind == FindingKind.SeedCrash ? -1 : f.FoundAfter is { } t ? (long)t.TotalMilliseconds : long.MaxValue;
}
