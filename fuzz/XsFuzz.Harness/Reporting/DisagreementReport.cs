using System.Globalization;
using System.Text;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness.Reporting;

/// <summary>
/// The human-readable report of a <see cref="Divergence"/>, for every pair of targets; deterministic (no
/// times, no paths): signature, the step, both sides' packets, the failure, the state diff, the scenario
/// with the step marked, and how to reproduce it.
/// </summary>
public static class DisagreementReport
{
    /// <summary>The model pair's report: reproducer `xsfuzz replay --base64 ...` with the fault and bounds.</summary>
    public static string Render(Divergence d, Scenario scenario, byte[] input, LiveUpdateFault fault, HarnessOptions options)
    {
        var base64 = input.Length == 0 ? null : Convert.ToBase64String(input);
        var frame = new ReportFrame(
            "LIVE UPDATE WAS VISIBLE: the live-updated daemon (A) and the reference (B) disagree",
            "A (live-updated)", "B (reference)",
            ["fault: " + (fault == LiveUpdateFault.None ? "none" : FaultCatalog.NameOf(fault)), "config: " + scenario.Config],
            "scenario",
            base64 is null
                ? ["(no input bytes: the scenario exceeds the decoder's bounds; replay its text instead)"]
                : ["input (base64): " + base64, Reproducer.CommandLine(base64, fault, options)]);
        return Render(frame, d, scenario);
    }

    public static string Render(ReportFrame frame, Divergence d, Scenario scenario)
    {
        var text = new StringBuilder();
        text.Append(frame.Headline).Append('\n');
        text.Append("signature: ").Append(d.Signature).Append('\n');
        foreach (var line in frame.HeaderLines) text.Append(line).Append('\n');
        var total = Int(scenario.Commands.Count);
        text.Append(d.Point switch
        {
            CheckPoint.Setup => "during the setup (initial domains and nodes, sent by dom0)",
            _ when d.Command is null => $"step {Int(d.Step)} of {total}: end of scenario",
            _ => $"step {Int(d.Step)} of {total}: {ScenarioText.Command(d.Command)}",
        }).Append('\n');
        if (d.Connection is { } conn) text.Append("connection: ").Append(ScenarioText.Connection(conn)).Append('\n');

        if (d.Updated is not null || d.Reference is not null)
        {
            text.Append("\n--- packets delivered ---\n");
            Packets(text, frame.UpdatedLabel, d.Updated);
            Packets(text, frame.ReferenceLabel, d.Reference);
        }
        if (d.Failure is not null) text.Append("\n--- failure ---\n").Append(d.Failure.TrimEnd()).Append('\n');
        if (d.StateUpdated is not null && d.StateReference is not null)
        {
            text.Append("\n--- state diff (--- A, +++ B) ---\n");
            text.Append(d.StateUpdated == d.StateReference ? "(states are equal)\n" : SnapshotDiff.Unified(d.StateUpdated, d.StateReference));
        }

        text.Append("\n--- ").Append(frame.ScenarioTitle).Append(" (>> marks the step) ---\n");
        text.Append(ScenarioText.Print(scenario, numbered: true, mark: d.Command is null ? -1 : d.Step));
        if (frame.ScenarioNote is not null) text.Append(frame.ScenarioNote).Append('\n');

        text.Append("\n--- reproduce ---\n");
        foreach (var line in frame.Reproducer) text.Append(line).Append('\n');
        if (!string.IsNullOrWhiteSpace(frame.Diagnostics)) text.Append("\n--- daemons ---\n").Append(frame.Diagnostics.TrimEnd()).Append('\n');
        return text.ToString();
    }

    private static void Packets(StringBuilder text, string who, Delivery? delivery)
    {
        if (delivery is null)
        {
            text.Append(who).Append(": (nothing)\n");
            return;
        }
        var n = delivery.Packets.Count;
        text.Append(who).Append(": ").Append(Int(n)).Append(n == 1 ? " packet" : " packets");
        text.Append(delivery.Ending switch
        {
            Ending.Timeout => ", then no answer within the timeout\n",
            Ending.Closed => ", then the connection was closed\n",
            Ending.Threw => ", then it threw (see the failure)\n",
            _ => "\n",
        });
        foreach (var p in delivery.Packets) text.Append("  ").Append(p).Append('\n');
    }

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);
}
