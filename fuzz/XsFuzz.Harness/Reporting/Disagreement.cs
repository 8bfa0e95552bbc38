using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness.Reporting;

/// <summary>
/// The one exception a failed check throws: the live update was visible. Its message is the full
/// report (scenario, divergent step, both instances' replies, state diff, reproducer), so that AFL's
/// crash output and xunit's failure text are self-contained.
/// </summary>
public sealed class Disagreement : Exception
{
    public Disagreement(Divergence divergence, Scenario scenario, byte[] input, LiveUpdateFault fault, HarnessOptions options)
        : base(DisagreementReport.Render(divergence, scenario, input, fault, options))
    {
        Divergence = divergence;
        Scenario = scenario;
        Input = input;
        Fault = fault;
    }

    public Divergence Divergence { get; }
    public Scenario Scenario { get; }

    /// <summary>The input bytes that reproduce it (the original input, or the scenario's encoding).</summary>
    public byte[] Input { get; }

    public LiveUpdateFault Fault { get; }

    /// <summary>Step kind and what diverged, without values: equal bugs give equal signatures.</summary>
    public string Signature => Divergence.Signature;

    public string Report => Message;
}
