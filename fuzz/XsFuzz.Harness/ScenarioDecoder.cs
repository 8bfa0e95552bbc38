using XsFuzz.Harness.Generation;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;

namespace XsFuzz.Harness;

/// <summary>
/// Bytes to scenario, lazily: each record is decoded against the reference daemon's state right before it
/// runs. The walk is <see cref="ScenarioCodec"/> reading; <see cref="ScenarioEncoder"/> is the same walk
/// writing. Total: every byte string decodes; missing records just end the lists.
/// </summary>
public sealed class ScenarioDecoder
{
    private readonly ScenarioCodec _codec;

    public ScenarioDecoder(ReadOnlySpan<byte> input, HarnessOptions options) => _codec = ScenarioCodec.Reader(input, options);

    /// <summary>The daemons' configuration the input chose (its setup header is read on construction).</summary>
    public Xenstore.NamedConfig Config => _codec.Config;

    /// <summary>Decodes the setup and applies it to the session as it goes (nodes need the tree so far).</summary>
    public void DecodeSetup(PairRun session) => _codec.Setup(session);

    /// <summary>The next command, decoded against the session's current state; null when the input (or the bound) ends.</summary>
    public Command? NextCommand(PairRun session) => _codec.NextCommand(session);

    /// <summary>Everything decoded so far.</summary>
    public Scenario Scenario => _codec.Scenario;

    /// <summary>Decodes a whole input (running the reference daemon only).</summary>
    public static Scenario Decode(ReadOnlySpan<byte> input, HarnessOptions options) => ScenarioCodec.Reader(input, options).Run().Scenario;
}
