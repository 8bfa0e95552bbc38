using System.Globalization;
using System.Text;
using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Reporting;

/// <summary>
/// The report of a real run's disagreement, in the harness's layout: signature, the step, both sides'
/// packets (or state walks, as a unified diff), the scenario as run with the step marked, what of the
/// input was not run, the reproducer, and the daemons' recent output.
/// </summary>
public static class RealReport
{
    public static string Render(RunDescription run, RealDivergence d, MappedScenario mapped, string base64,
        string? knownReason, string diagnostics)
    {
        var scenario = mapped.Runnable;
        var text = new StringBuilder();
        text.Append(run.Headline).Append('\n');
        text.Append("signature: ").Append(d.Signature).Append('\n');
        text.Append("known: ").Append(knownReason is null ? "no" : "yes: " + knownReason).Append('\n');
        var total = Int(scenario.Commands.Count);
        text.Append(d.Point switch
        {
            RealCheckPoint.Setup => "during the setup (initial domains and nodes, sent by dom0)",
            _ when d.Command is null => $"step {Int(d.Step)} of {total}: end of scenario",
            _ => $"step {Int(d.Step)} of {total}: {ScenarioText.Command(d.Command)}",
        }).Append('\n');
        if (d.Slot is { } slot) text.Append("connection: ").Append(Slots.Name(slot)).Append('\n');

        if (d.A is not null || d.B is not null)
        {
            text.Append("\n--- packets delivered ---\n");
            Packets(text, run.LabelA, d.A);
            Packets(text, run.LabelB, d.B);
        }
        if (d.Failure is not null) text.Append("\n--- live update failed ---\n").Append(d.Failure.TrimEnd()).Append('\n');
        if (d.StateA is not null && d.StateB is not null)
        {
            text.Append("\n--- state walk diff (--- A, +++ B) ---\n");
            text.Append(SnapshotDiff.Unified(d.StateA, d.StateB));
        }

        text.Append("\n--- scenario as run (>> marks the step; D0 is dom0 on a socket) ---\n");
        text.Append(ScenarioText.Print(scenario, numbered: true, mark: d.Command is null ? -1 : d.Step));
        if (mapped.SkippedCount > 0)
        {
            text.Append("(not run, from the input: ");
            text.Append(string.Join(", ", mapped.Skipped.OrderBy(k => k.Key).Select(k => $"{Int(k.Value)} {k.Key.Describe()}")));
            text.Append(")\n");
        }

        text.Append("\n--- reproduce ---\n");
        text.Append("input (base64): ").Append(base64).Append('\n');
        text.Append(run.Reproducer(base64)).Append('\n');
        if (diagnostics.Length > 0) text.Append("\n--- daemons ---\n").Append(diagnostics.TrimEnd()).Append('\n');
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
            _ => "\n",
        });
        foreach (var p in delivery.Packets) text.Append("  ").Append(p).Append('\n');
    }

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);
}
