using System.Globalization;
using System.Text;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Reporting;

/// <summary>The human-readable report of a <see cref="Divergence"/>; deterministic (no times, no paths).</summary>
public static class DisagreementReport
{
    public static string Render(Divergence d, Scenario scenario, byte[] input, LiveUpdateFault fault, HarnessOptions options)
    {
        var text = new StringBuilder();
        text.Append("LIVE UPDATE WAS VISIBLE: the live-updated daemon (A) and the reference (B) disagree\n");
        text.Append("signature: ").Append(d.Signature).Append('\n');
        text.Append("fault: ").Append(fault == LiveUpdateFault.None ? "none" : FaultCatalog.NameOf(fault)).Append('\n');
        var total = scenario.Commands.Count;
        text.Append(d.Command is null
            ? $"step {Int(d.Step)} of {Int(total)}: end of scenario"
            : $"step {Int(d.Step)} of {Int(total)}: {ScenarioText.Command(d.Command)}").Append('\n');
        if (d.Connection is { } conn) text.Append("connection: ").Append(ScenarioText.Connection(conn)).Append('\n');

        if (d.PacketsA is not null || d.PacketsB is not null)
        {
            text.Append("\n--- packets delivered ---\n");
            Packets(text, "A (live-updated)", d.PacketsA);
            Packets(text, "B (reference)", d.PacketsB);
        }
        if (d.Failure is not null) text.Append("\n--- A failed ---\n").Append(d.Failure).Append('\n');

        text.Append("\n--- state diff (--- A live-updated, +++ B reference) ---\n");
        if (d.SnapshotA is null || d.SnapshotB is null) text.Append("(no live-updated state to compare)\n");
        else if (d.SnapshotA == d.SnapshotB) text.Append("(states are equal)\n");
        else text.Append(SnapshotDiff.Unified(d.SnapshotA, d.SnapshotB));

        text.Append("\n--- scenario (>> marks the step) ---\n");
        text.Append(ScenarioText.Print(scenario, numbered: true, mark: d.Command is null ? -1 : d.Step));

        text.Append("\n--- reproduce ---\n");
        if (input.Length == 0)
        {
            text.Append("(no input bytes: the scenario exceeds the decoder's bounds; replay its text instead)\n");
            return text.ToString();
        }
        var base64 = Convert.ToBase64String(input);
        text.Append("input (base64): ").Append(base64).Append('\n');
        text.Append(Reproducer.CommandLine(base64, fault, options)).Append('\n');
        return text.ToString();
    }

    private static void Packets(StringBuilder text, string who, IReadOnlyList<Packet>? packets)
    {
        if (packets is null)
        {
            text.Append(who).Append(": (nothing: it threw)\n");
            return;
        }
        text.Append(who).Append(": ").Append(Int(packets.Count)).Append(packets.Count == 1 ? " packet\n" : " packets\n");
        foreach (var p in packets) text.Append("  ").Append(p).Append('\n');
    }

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);
}
