using XsFuzz.Harness.Generation;
using XsFuzz.Harness.Scenarios;

namespace XsFuzz.Harness;

/// <summary>
/// Scenario to bytes, the decoder's inverse: Decode(Encode(s)) == s for every scenario within the bounds.
/// It is the decoder's own walk (<see cref="ScenarioCodec"/>) with choices that write: at each choice the
/// cheapest bytes that reproduce the wanted value in the reference daemon's state at that step.
/// </summary>
/// <remarks>
/// Why an encoder rather than a scenario-level runner only: the shrinker does work on scenarios (it
/// removes commands, nodes, shortens values), but its result must be an input file that AFL, replay and
/// the corpus can use, so scenarios have to become bytes again. That gives compact inputs (a shrunk
/// failure is a few bytes per command, smaller than byte-level afl-tmin gets), lets `xsfuzz corpus` write
/// hand-made scenarios as seeds, and makes Decode(Encode(s)) == s a strong test of the one walk.
/// </remarks>
public static class ScenarioEncoder
{
    /// <summary>The encoding, or null when the scenario exceeds the decoder's bounds or cannot be encoded.</summary>
    public static byte[]? TryEncode(Scenario scenario, HarnessOptions options)
    {
        try
        {
            return Encode(scenario, options);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <exception cref="ArgumentException">
    /// The scenario exceeds the decoder's bounds (commands, nodes, domains) or holds a value no choice
    /// can produce (a literal longer than a payload, a character above 0xFF).
    /// </exception>
    public static byte[] Encode(Scenario scenario, HarnessOptions options) => ScenarioCodec.Writer(scenario, options).Run().ToArray();
}
