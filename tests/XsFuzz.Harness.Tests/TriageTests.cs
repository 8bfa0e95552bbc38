using XsFuzz.Cli;
using XsFuzz.Triage.Findings;
using XsFuzz.Triage.Page;
using XsFuzz.Triage.Reports;

namespace XsFuzz.Harness.Tests;

/// <summary>
/// Crash files know their campaign (replay, shrink, print, triage read the folder's .xsfuzz-campaign),
/// triage groups, shrinks and writes FINDINGS/triage/, and reports elide long values.
/// </summary>
public sealed class TriageTests : IDisposable
{
    private const string Fault = "watch-relative-lost";
    private readonly string _dir = Directory.CreateTempSubdirectory("xsfuzz-triage-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = XsfuzzApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>A fuzz.sh-like campaign folder: the marker, and a main worker with saved crashes.</summary>
    private string Campaign(string fault, params byte[][] crashes) => Campaign(fault, null, crashes);

    /// <param name="config">The campaign's --config as fuzz.sh records it; null: a campaign without the key.</param>
    private string Campaign(string fault, string? config, params byte[][] crashes)
    {
        var findings = Path.Combine(_dir, "findings");
        Directory.CreateDirectory(Path.Combine(findings, "main", "queue"));
        Directory.CreateDirectory(Path.Combine(findings, "main", "crashes"));
        File.WriteAllText(Path.Combine(findings, ".xsfuzz-campaign"),
            $"fault={fault}\n{(config is null ? "" : $"config={config}\n")}empty=0\ntimeout_ms=5000\nstarted=2026-01-01T00:00:00Z\n");
        File.WriteAllText(Path.Combine(findings, "main", "crashes", "README.txt"), "AFL's note\n");
        for (var i = 0; i < crashes.Length; i++)
            File.WriteAllBytes(Path.Combine(findings, "main", "crashes", $"id:{i:D6},sig:06,src:000000,time:{1000 * (crashes.Length - i)},execs:9,op:havoc,rep:2"), crashes[i]);
        return findings;
    }

    private string CrashFile(int index) => Directory.GetFiles(Path.Combine(_dir, "findings", "main", "crashes"), "id:*").Order(StringComparer.Ordinal).ElementAt(index);

    /// <summary>Inputs that fail under the fault, found by `check` with these seeds.</summary>
    private byte[][] Failing(params int[] seeds) => Failing(null, seeds);

    /// <param name="config">check's --config (null: each input chooses).</param>
    private byte[][] Failing(string? config, params int[] seeds) => seeds.Select(seed =>
    {
        var outDir = Path.Combine(_dir, "check-" + seed + config);
        string[] pinned = config is null ? [] : ["--config", config];
        Assert.Equal(1, Run(["check", "--fault", Fault, "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", outDir, "--no-shrink", .. pinned]).Code);
        return File.ReadAllBytes(Assert.Single(Directory.GetFiles(outDir)));
    }).ToArray();

    private static IEnumerable<string> Signatures(string text) =>
        text.Split('\n').Where(l => l.StartsWith("signature: ", StringComparison.Ordinal)).Distinct();

    [Fact]
    public void Replay_takes_the_fault_from_the_campaign_folder()
    {
        Campaign(Fault, Failing(1));
        var (code, output, _) = Run("replay", CrashFile(0));
        Assert.Equal(1, code);
        Assert.Contains("verdict: DISAGREE", output);
        Assert.Contains("fault " + Fault + " (campaign ", output);
        Assert.Equal(1, Run("replay", CrashFile(0), "--fault", Fault).Code);
    }

    [Fact]
    public void A_fault_that_contradicts_the_campaign_is_a_usage_error()
    {
        Campaign(Fault, Failing(1));
        foreach (var command in new[] { "replay", "print", "shrink" })
        {
            string[] args = command == "shrink"
                ? [command, CrashFile(0), "--fault", "none", "-o", Path.Combine(_dir, "x")]
                : [command, CrashFile(0), "--fault", "perm-entry-lost"];
            var (code, output, err) = Run(args);
            Assert.Equal(2, code);
            Assert.Contains("contradicts", err);
            Assert.DoesNotContain("agree", output);
        }
        Assert.False(File.Exists(Path.Combine(_dir, "x")));
    }

    [Fact]
    public void The_campaigns_configuration_decodes_its_inputs_and_a_flag_may_not_contradict_it()
    {
        // An input of a --config campaign reads no configuration byte: decoded as if it chose its own
        // configuration it is another scenario (here: one that agrees, or one under another configuration).
        Campaign(Fault, "perms-off", Failing("perms-off", 1));
        var (printCode, print, _) = Run("print", CrashFile(0));
        Assert.Equal(0, printCode);
        Assert.StartsWith("# xsfuzz scenario\n# replayed with target model, fault " + Fault + ", config perms-off (campaign ", print);
        Assert.Contains("\nconfig perms-off\n", print);
        var (code, output, _) = Run("replay", CrashFile(0));
        Assert.Equal(1, code);
        Assert.Contains("verdict: DISAGREE", output);
        Assert.Equal(1, Run("replay", CrashFile(0), "--config", "perms-off").Code);

        var (contradicted, _, err) = Run("replay", CrashFile(0), "--config", "debian");
        Assert.Equal(2, contradicted);
        Assert.Contains("--config debian contradicts", err);
        Assert.Contains("config 'perms-off'", err);
    }

    [Fact]
    public void Pinning_a_configuration_contradicts_a_campaign_whose_inputs_chose_their_own()
    {
        Campaign(Fault, Failing(1));
        var (code, output, err) = Run("replay", CrashFile(0), "--config", "debian");
        Assert.Equal(2, code);
        Assert.Contains("each input choosing its configuration", err);
        Assert.DoesNotContain("agree", output);
    }

    [Fact]
    public void A_saved_crash_that_agrees_is_not_reproduced_never_agree()
    {
        Campaign("", Failing(1)); // the campaign says: no fault; the input only fails with one
        var (code, output, _) = Run("replay", CrashFile(0));
        Assert.Equal(1, code);
        Assert.Contains("verdict: NOT REPRODUCED", output);
        Assert.DoesNotContain("verdict: agree", output);
    }

    [Fact]
    public void Shrink_and_print_use_the_campaign_too()
    {
        Campaign(Fault, Failing(2));
        var small = Path.Combine(_dir, "small.bin");
        var (code, output, _) = Run("shrink", CrashFile(0), "-o", small);
        Assert.Equal(0, code);
        Assert.Contains("signature: live update: state differs in [watch]", output);
        var (printCode, print, _) = Run("print", CrashFile(0));
        Assert.Equal(0, printCode);
        Assert.StartsWith("# xsfuzz scenario\n# replayed with target model, fault " + Fault, print);
    }

    [Fact]
    public void Triage_groups_shrinks_and_writes_a_folder_per_signature()
    {
        var crashes = Failing(1, 2, 3);
        var findings = Campaign(Fault, crashes);
        var hangs = Path.Combine(findings, "main", "hangs");
        Directory.CreateDirectory(hangs);
        File.WriteAllBytes(Path.Combine(hangs, "id:000000,src:000000,time:50,execs:3,op:havoc,rep:2"), [0]); // agrees
        File.WriteAllText(Path.Combine(findings, "main", "plot_data"),
            "# relative_time, cycles_done, cur_item, corpus_count, pending_total, pending_favs, map_size, saved_crashes, saved_hangs, max_depth, execs_per_sec, total_execs, edges_found\n"
            + "5, 0, 0, 100, 10, 1, 5.00%, 0, 0, 2, 400.0, 2000, 500\n10, 0, 1, 120, 9, 1, 5.10%, 3, 1, 2, 410.0, 4100, 520\n");

        var (code, table, err) = Run("triage", findings);
        Assert.True(code == 0, err);
        Assert.Contains("4 file(s), 4 distinct, 2 signature(s)", table);
        Assert.Contains("live update: state differs in [watch]", table);
        Assert.Contains(TriageRun.HangAgrees, table);

        var triage = Path.Combine(findings, "triage");
        // The hang was found first (time:50), the crash group then.
        var groupDir = Assert.Single(Directory.GetDirectories(triage, "2-live-update-state-differs-in-watch"));
        var report = File.ReadAllText(Path.Combine(groupDir, "report.txt"));
        Assert.StartsWith("signature: live update: state differs in [watch]\n", report);
        Assert.True(report.IndexOf("=== shrunk:", StringComparison.Ordinal) < report.IndexOf("=== original", StringComparison.Ordinal));
        Assert.Contains("3 file(s)", report);
        var minimal = Path.Combine(groupDir, "minimal.bin");
        Assert.True(new FileInfo(minimal).Length < crashes.Min(b => b.Length));
        Assert.Contains(minimal, File.ReadAllText(Path.Combine(groupDir, "reproduce.txt")));

        // The minimal input, replayed without --fault, fails the same way (the campaign gives the fault).
        var (replayCode, replay, _) = Run("replay", minimal, "--no-shrink");
        Assert.Equal(1, replayCode);
        Assert.Equal(["signature: live update: state differs in [watch]"], Signatures(replay));

        var page = File.ReadAllText(Path.Combine(triage, "index.html"));
        Assert.Contains("href=\"2-live-update-state-differs-in-watch/report.txt\"", page);
        Assert.Contains("<polyline", page);
        Assert.DoesNotContain("<script", page);
        Assert.DoesNotContain("https:", page);

        // A second triage replaces its own folder; a folder it did not write is left alone.
        Assert.Equal(0, Run("triage", findings, "--no-shrink").Code);
        Directory.Delete(triage, recursive: true);
        Directory.CreateDirectory(triage);
        File.WriteAllText(Path.Combine(triage, "mine.txt"), "user's");
        var (refused, _, refusal) = Run("triage", findings);
        Assert.Equal(2, refused);
        Assert.Contains("--force", refusal);
        Assert.True(File.Exists(Path.Combine(triage, "mine.txt")));
    }

    [Fact]
    public void Triage_of_a_folder_without_failures_says_so()
    {
        var findings = Campaign("");
        var (code, table, _) = Run("triage", findings);
        Assert.Equal(0, code);
        Assert.Contains("no crash, no hang", table);
        Assert.True(File.Exists(Path.Combine(findings, "triage", "index.html")));
    }

    [Fact]
    public void Long_values_are_elided_except_in_the_reproducer()
    {
        var value = new string('\xde', 2000);
        var quoted = XsFuzz.Xenstore.Wire.Latin1.Quote(value);
        var report = $"signature: x\n--- scenario ---\nnode /a {quoted} n0\n--- reproduce ---\ninput (base64): {new string('A', 300)}\n";
        var elided = LongValues.Elide(report);
        Assert.Contains("node /a \"" + string.Concat(Enumerable.Repeat("\\xde", 6)) + "\"...(2000 bytes) n0\n", elided);
        Assert.Contains(new string('A', 300), elided);
        var plain = report.Replace(quoted, "\"short\"", StringComparison.Ordinal);
        Assert.Equal(plain, LongValues.Elide(plain));
    }

    [Fact]
    public void Check_prints_the_shrunk_report_first_and_full_prints_long_values()
    {
        var (code, elided, _) = Run("check", "--fault", Fault, "--seed", "1", "--out", _dir);
        Assert.Equal(1, code);
        Assert.True(elided.IndexOf("=== shrunk:", StringComparison.Ordinal) is >= 0 and var at
            && at < elided.IndexOf("=== original", StringComparison.Ordinal));
        var (_, full, _) = Run("check", "--fault", Fault, "--seed", "1", "--out", _dir, "--full");
        Assert.True(full.Length > elided.Length);
        Assert.Contains("--full prints them whole", elided);
        Assert.DoesNotContain("...(", full);
    }

    [Fact]
    public void Plot_data_columns_are_found_by_name()
    {
        var file = Path.Combine(_dir, "plot_data");
        File.WriteAllText(file, "# relative_time, cycles_done, cur_item, corpus_count, pending_total, pending_favs, map_size, saved_crashes, saved_hangs, max_depth, execs_per_sec, total_execs, edges_found\n"
            + "7, 0, 0, 11, 10, 1, 5.00%, 2, 0, 2, 400.0, 3000, 500\n");
        Assert.Equal([new PlotPoint(7, 3000, 11, 2)], PlotData.Read(file));
    }
}
