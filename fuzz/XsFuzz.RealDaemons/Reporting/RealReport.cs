using System.Globalization;
using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Mapping;
using XsFuzz.RealDaemons.Running;

namespace XsFuzz.RealDaemons.Reporting;

/// <summary>
/// The report of a real run's disagreement: the harness's report (<see cref="DisagreementReport"/>) framed
/// for real daemons: the mode's headline and side names, whether the allow-list knows the signature, the
/// scenario as run and what of the input was not run, the `xsfuzz real` reproducer, the daemons' output.
/// </summary>
public static class RealReport
{
    public static string Render(RunDescription run, Divergence d, MappedScenario mapped, string base64,
        string? knownReason, string diagnostics)
    {
        var note = mapped.SkippedCount == 0 ? null
            : "(not run, from the input: " + string.Join(", ", mapped.Skipped.OrderBy(k => k.Key)
                .Select(k => k.Value.ToString(CultureInfo.InvariantCulture) + " " + k.Key.Describe())) + ")";
        var frame = new ReportFrame(run.Headline, run.LabelA, run.LabelB,
            ["known: " + (knownReason is null ? "no" : "yes: " + knownReason)],
            "scenario as run; D0 is dom0 on a socket",
            ["input (base64): " + base64, run.Reproducer(base64)],
            note, diagnostics);
        return DisagreementReport.Render(frame, d, mapped.Runnable);
    }
}
