using XsFuzz.Harness.Decoding;
using XsFuzz.Harness.Scenarios;

namespace XsFuzz.Harness.Tests;

public class LocalityTests
{
    private static string Kind(Command c) => c switch
    {
        RequestCommand r => Xenstore.Wire.OpNames.Name(r.Type),
        PartialCommand p => Xenstore.Wire.OpNames.Name(p.Request.Type), // a split request keeps its kind
        LiveUpdateCommand => "LIVE-UPDATE",
        _ => "DRAIN",
    };

    /// <summary>The command of each record (a request's copies are not records of their own).</summary>
    private static IReadOnlyList<Command> Records(byte[] input, HarnessOptions options) =>
        Generation.ScenarioCodec.Reader(input, options).Run().Records;

    /// <summary>
    /// An inserted byte disturbs one command, not everything after it: the separators keep the framing,
    /// so every other command keeps its kind (the first byte of its record).
    /// </summary>
    [Fact]
    public void An_inserted_byte_changes_at_most_one_command_kind()
    {
        // No command bound: copies (a count at a request record's end) must not push records past it.
        var options = HarnessOptions.Default with { MaxCommands = 10_000 };
        var random = new Random(9);
        var inputs = new RandomInputs(9);
        var tested = 0;
        while (tested < 300)
        {
            var input = inputs.Next(HarnessOptions.Default.MaxCommands);
            var recordsBefore = Records(input, options);
            if (recordsBefore.Count < 3) continue;
            // Insert inside a command record: after the separator that starts the k-th command record.
            var separators = input.Select((b, i) => (b, i)).Where(p => p.b == Framing.Separator).Select(p => p.i).ToList();
            var firstCommandRecord = separators.Count - recordsBefore.Count;
            var k = random.Next(recordsBefore.Count);
            var at = separators[firstCommandRecord + k] + 1 + random.Next(3);
            if (at > input.Length || (at < input.Length && input[at] == Framing.Separator && at != separators[firstCommandRecord + k] + 1)) continue;
            var mutated = input.Take(at).Append((byte)random.Next(0, Framing.Escape)).Concat(input.Skip(at)).ToArray();

            // Records, not commands: a request record may end with a count of copies of itself, which the
            // inserted byte may change.
            var recordsAfter = Records(mutated, options);
            Assert.Equal(recordsBefore.Count, recordsAfter.Count);
            var changed = recordsBefore.Zip(recordsAfter).Count(p => Kind(p.First) != Kind(p.Second));
            Assert.True(changed <= 1, $"{changed} command kinds changed");
            tested++;
        }
    }
}
