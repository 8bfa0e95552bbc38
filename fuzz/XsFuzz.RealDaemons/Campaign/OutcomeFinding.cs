using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Running;

namespace XsFuzz.RealDaemons.Campaign;

/// <summary>
/// What a campaign records of a run: its divergence or, when the daemons agreed to the end but one of
/// them had died ("A died: ..."; both dying alike leaves nothing to compare), that death, as a finding
/// at the end of the scenario whose signature is the death note. The AFL target reads the same death.
/// </summary>
public static class OutcomeFinding
{
    public static Divergence? Of(ScenarioOutcome outcome, Scenario scenario) =>
        outcome.Divergence ?? (outcome.Death is { } death
            ? new Divergence(CheckPoint.FinalState, scenario.Commands.Count, null, null, null, null, null, null,
                death + "\n\n" + outcome.Diagnostics, death)
            : null);
}
