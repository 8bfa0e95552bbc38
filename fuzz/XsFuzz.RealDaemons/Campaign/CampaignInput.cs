using XsFuzz.Harness;
using XsFuzz.Harness.Scenarios;

namespace XsFuzz.RealDaemons.Campaign;

/// <summary>One input of a campaign: its name and bytes (an AFL/corpus input) or a scenario text file.</summary>
public sealed record CampaignInput(string Name, byte[] Bytes)
{
    /// <summary>The scenario it stands for: a text scenario is parsed, anything else decoded like AFL's inputs.</summary>
    /// <exception cref="ScenarioFormatException">A malformed scenario text.</exception>
    public Scenario Scenario(HarnessOptions options)
    {
        var header = System.Text.Encoding.ASCII.GetBytes(ScenarioText.Header);
        if (Bytes.AsSpan().StartsWith(header))
            return ScenarioParser.Parse(System.Text.Encoding.Latin1.GetString(Bytes));
        return ScenarioDecoder.Decode(Bytes, options);
    }
}
