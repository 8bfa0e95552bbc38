using System.Diagnostics;
using System.Globalization;
using XsFuzz.Harness;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.RealDaemons.Campaign;

/// <summary>
/// Runs inputs on real daemons with N workers until the inputs, the count or the time run out (or
/// the token is cancelled), groups disagreements by signature, writes one report per group (the first
/// scenario's, plus a shrunk one on request) and prints a progress line every few seconds.
/// </summary>
public sealed class RealCampaign(SandboxLayout layout, CampaignOptions options, TextWriter progress)
{
    private const int MaxSandboxErrors = 20;

    private readonly ScenarioRunner _runner = new(layout, options.Run, options.Settings, harness: options.Harness);
    private readonly FindingGroups _groups = new();
    private readonly RunStats _stats = new();
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = new();
    private long _inputs, _nothingToRun, _duplicates, _badInputs, _sandboxErrors, _taken, _domUSent, _domUSkipped, _unrunnable;
    private readonly HashSet<string> _refusals = new(StringComparer.Ordinal);
    private string? _aborted;

    public CampaignResult Run(InputSource inputs, CancellationToken cancel)
    {
        Directory.CreateDirectory(options.OutDir);
        _clock.Start();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        if (options.Time is { } limit) stop.CancelAfter(limit);
        using var ticker = new Timer(_ => Progress(), null, options.ProgressEvery, options.ProgressEvery);
        var workers = Enumerable.Range(0, Math.Max(1, options.Jobs))
            .Select(_ => Task.Factory.StartNew(() => Work(inputs, stop), TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(workers);
        _clock.Stop();
        lock (_gate)
            return new CampaignResult(_stats, _groups.All, _clock.Elapsed, _inputs, _nothingToRun, _duplicates, _badInputs,
                _sandboxErrors, _aborted, _domUSent, _domUSkipped, _unrunnable);
    }

    private void Work(InputSource inputs, CancellationTokenSource stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (options.Count is { } max && Interlocked.Increment(ref _taken) > max) return;
            if (inputs.Next() is not { } input) return;
            Interlocked.Increment(ref _inputs);
            if (Prepare(input) is not { } mapped) continue;
            ScenarioOutcome outcome;
            try
            {
                outcome = _runner.Execute(mapped.Runnable);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A daemon that would not start, or a bug of the runner itself: counted, reported on
                // stderr, and the campaign goes on (the runner has killed that scenario's daemons).
                if (Interlocked.Increment(ref _sandboxErrors) >= MaxSandboxErrors)
                {
                    lock (_gate) _aborted ??= $"{MaxSandboxErrors} errors; the last: {e.Message}";
                    stop.Cancel();
                }
                progress.WriteLine($"error ({input.Name}): {(e is SandboxException ? e.Message : e.ToString())}");
                continue;
            }
            lock (_gate)
            {
                _stats.Add(outcome.Stats);
                foreach (var (reason, n) in mapped.Skipped) _stats.Skipped[reason.Describe()] = _stats.Skipped.GetValueOrDefault(reason.Describe()) + n;
                _domUSent += mapped.DomUSent;
                _domUSkipped += mapped.DomUSkipped;
            }
            if (OutcomeFinding.Of(outcome, mapped.Runnable) is { } divergence) Record(input, mapped, divergence, outcome.Diagnostics);
        }
    }

    /// <summary>The input's runnable scenario, or null (counted) when it is malformed, empty or a repeat.</summary>
    private MappedScenario? Prepare(CampaignInput input)
    {
        Scenario scenario;
        try
        {
            scenario = input.Scenario(options.Harness);
        }
        catch (ScenarioFormatException)
        {
            Interlocked.Increment(ref _badInputs);
            return null;
        }
        // A configuration this sandbox cannot run is not the daemon's fault: counted, its reason said once.
        if (_runner.Refusal(scenario) is { } why)
        {
            Interlocked.Increment(ref _unrunnable);
            lock (_gate)
            {
                if (_refusals.Add(why)) progress.WriteLine($"not run ({input.Name} and any other input like it): {why}");
            }
            return null;
        }
        var mapped = ScenarioMapper.Map(scenario);
        if (mapped.Runnable.Commands.Count == 0)
        {
            Interlocked.Increment(ref _nothingToRun);
            return null;
        }
        lock (_gate)
        {
            if (_seen.Add(ScenarioText.Print(mapped.Runnable))) return mapped;
        }
        Interlocked.Increment(ref _duplicates);
        return null;
    }

    private void Record(CampaignInput input, MappedScenario mapped, Divergence divergence, string diagnostics)
    {
        var known = options.Known.Match(options.Run, divergence.Signature);
        var (group, first) = _groups.Add(divergence.Signature,
            () => new FindingGroup(divergence.Signature, known is null ? FindingStatus.New : FindingStatus.Known, known));
        if (!first) return;
        if (known is null && options.Confirm && !Reproduces(mapped.Runnable, divergence.Signature)) group.Status = FindingStatus.Flaky;
        var stem = Path.Combine(options.OutDir, string.Create(CultureInfo.InvariantCulture, $"{_groups.Index(group):D3}-{Slug(divergence.Signature)}"));
        var base64 = Reproducer(mapped.Runnable, input);
        group.Reproducer = options.Run.Reproducer(base64);
        group.ReportPath = stem + ".txt";
        File.WriteAllText(group.ReportPath, Header(group) + RealReport.Render(options.Run, divergence, mapped, base64, known?.Reason, diagnostics));
        File.WriteAllBytes(stem + ".bin", Convert.FromBase64String(base64));
        if (group.Status == FindingStatus.New && options.ShrinkRuns > 0) Shrink(group, mapped, divergence, stem);
    }

    private bool Reproduces(Scenario scenario, string signature)
    {
        try { return OutcomeFinding.Of(_runner.Execute(scenario), scenario)?.Signature == signature; }
        catch (SandboxException) { return false; }
    }

    private void Shrink(FindingGroup group, MappedScenario mapped, Divergence divergence, string stem)
    {
        var shrinker = new RealShrinker(_runner, options.Harness, options.ShrinkRuns);
        var shrunk = shrinker.Shrink(mapped.Runnable, divergence);
        ScenarioOutcome again;
        try { again = _runner.Execute(shrunk); }
        catch (SandboxException) { return; }
        if (OutcomeFinding.Of(again, shrunk) is not { } d || d.Signature != divergence.Signature) return;
        var smaller = new MappedScenario(shrunk, new Dictionary<SkipReason, int>());
        var base64 = Reproducer(shrunk, null);
        group.Reproducer = options.Run.Reproducer(base64);
        group.ShrunkReportPath = stem + "-shrunk.txt";
        File.WriteAllText(group.ShrunkReportPath, Header(group) + $"(shrunk in {shrinker.Runs} runs)\n"
            + RealReport.Render(options.Run, d, smaller, base64, null, again.Diagnostics));
        File.WriteAllBytes(stem + "-shrunk.bin", Convert.FromBase64String(base64));
    }

    private static string Header(FindingGroup group) =>
        group.Status == FindingStatus.Flaky ? "(FLAKY: a rerun of this scenario on fresh daemons did not show it again)\n" : "";

    /// <summary>The runnable scenario encoded as an input; if it does not fit the decoder's bounds, the input itself.</summary>
    private string Reproducer(Scenario runnable, CampaignInput? input)
    {
        try
        {
            return Convert.ToBase64String(ScenarioEncoder.Encode(runnable, options.Harness));
        }
        catch (ArgumentException) when (input is not null)
        {
            return Convert.ToBase64String(input.Bytes);
        }
        catch (ArgumentException)
        {
            return Convert.ToBase64String(System.Text.Encoding.Latin1.GetBytes(ScenarioText.Print(runnable)));
        }
    }

    private static string Slug(string signature)
    {
        var chars = signature.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray();
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length > 60 ? slug[..60] : slug;
    }

    private void Progress()
    {
        string line;
        lock (_gate)
        {
            var seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
            var groups = _groups.All;
            line = string.Create(CultureInfo.InvariantCulture,
                $"[real {options.Run.Command} {options.Run.Kind.Name()}] {_stats.Scenarios} scenarios in {seconds:F0} s ({_stats.Scenarios / seconds:F2}/s), "
                + $"{_stats.LiveUpdates} live updates (+{_stats.RefusedTotal} refused), "
                + $"signatures: {groups.Count(g => g.Status == FindingStatus.New)} new, {groups.Count(g => g.Status == FindingStatus.Known)} known, "
                + $"{groups.Count(g => g.Status == FindingStatus.Flaky)} flaky");
        }
        progress.WriteLine(line);
    }
}
