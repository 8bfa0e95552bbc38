using XsFuzz.Harness.Decoding;
using XsFuzz.Harness.Scenarios;

namespace XsFuzz.Harness.Tests;

public class LocalityTests
{
    private static string Kind(Command c) => c switch
    {
        RequestCommand r => Xenstore.Wire.OpNames.Name(r.Type),
        LiveUpdateCommand => "LIVE-UPDATE",
        _ => "DRAIN",
    };

    /// <summary>
    /// An inserted byte disturbs one command, not everything after it: the separators keep the framing,
    /// so every other command keeps its kind (the first byte of its record).
    /// </summary>
    [Fact]
    public void An_inserted_byte_changes_at_most_one_command_kind()
    {
        var options = HarnessOptions.Default;
        var random = new Random(9);
        var inputs = new RandomInputs(9);
        var tested = 0;
        while (tested < 300)
        {
            var input = inputs.Next(options.MaxCommands);
            var before = ScenarioDecoder.Decode(input, options);
            if (before.Commands.Count < 3) continue;
            // Insert inside a command record: after the separator that starts the k-th command record.
            var separators = input.Select((b, i) => (b, i)).Where(p => p.b == Framing.Separator).Select(p => p.i).ToList();
            var firstCommandRecord = separators.Count - before.Commands.Count;
            var k = random.Next(before.Commands.Count);
            var at = separators[firstCommandRecord + k] + 1 + random.Next(3);
            if (at > input.Length || (at < input.Length && input[at] == Framing.Separator && at != separators[firstCommandRecord + k] + 1)) continue;
            var mutated = input.Take(at).Append((byte)random.Next(0, Framing.Escape)).Concat(input.Skip(at)).ToArray();
            var after = ScenarioDecoder.Decode(mutated, options);

            Assert.Equal(before.Commands.Count, after.Commands.Count);
            var changed = before.Commands.Zip(after.Commands).Count(p => Kind(p.First) != Kind(p.Second));
            Assert.True(changed <= 1, $"{changed} command kinds changed");
            tested++;
        }
    }
}
