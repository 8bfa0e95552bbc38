using System.Diagnostics.CodeAnalysis;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness.Shrinking;

/// <summary>The shrinker's outcome: both scenarios and inputs, the preserved signature, the work done.</summary>
public sealed record ShrinkResult(
    Scenario Original, Scenario Shrunk, byte[] OriginalInput, byte[] Input, string Signature, int Runs);

/// <summary>
/// Minimises a failing scenario for any pair of targets, given a predicate "does this scenario still fail
/// the same way?" (same signature). Works on the scenario, not on bytes: cut everything after the
/// divergent step, delta-debug the command list, drop domains and initial nodes, then simplify what is
/// left (tx 0, dom0 as sender, shorter or default values, paths, tokens, fewer permission entries),
/// repeating until nothing changes. A simplification must also make the encoding shorter (or, at equal
/// length, the text), which guarantees termination. <see cref="ScenarioEncoder"/> turns the result into
/// bytes (indices into live lists, trailing defaults dropped), and a last byte-level pass (delta
/// debugging over the bytes, then re-encoding) squeezes out what the scenario level cannot see.
/// A bound on the predicate's runs keeps it affordable where one run costs real daemons.
/// </summary>
public sealed class Shrinker
{
    private readonly Func<Scenario, bool> _stillFails;
    private readonly HarnessOptions _options;
    private readonly int _maxRuns;
    private int _runs;

    /// <param name="stillFails">True when the scenario still fails with the original signature.</param>
    /// <param name="options">The decoder's bounds (what "smaller" is measured in: the encoding).</param>
    /// <param name="maxRuns">After this many runs every candidate counts as passing, and the shrinker finishes.</param>
    public Shrinker(Func<Scenario, bool> stillFails, HarnessOptions options, int maxRuns = int.MaxValue)
    {
        _stillFails = stillFails;
        _options = options;
        _maxRuns = maxRuns;
    }

    /// <summary>How many times the predicate ran.</summary>
    public int Runs => _runs;

    /// <summary>The model pair: shrinks a failing input with a planted fault.</summary>
    /// <exception cref="InvalidOperationException">The input does not fail.</exception>
    public static ShrinkResult Shrink(byte[] input, LiveUpdateFault fault, HarnessOptions options)
    {
        var (divergence, original, _) = Agreement.Run(input, fault, options);
        if (divergence is null || original is null) throw new InvalidOperationException("the input does not fail: nothing to shrink");
        var signature = divergence.Signature;
        var shrinker = new Shrinker(s => Agreement.Run(s, fault, options).Divergence?.Signature == signature, options);
        var shrunk = shrinker.Shrink(original, divergence.Step);
        var bytes = shrinker.PolishBytes(ScenarioEncoder.Encode(shrunk, options));
        if (bytes.Length >= input.Length) bytes = input;
        return new ShrinkResult(original, ScenarioDecoder.Decode(bytes, options), input, bytes, signature, shrinker.Runs);
    }

    /// <summary>The smallest scenario found that still fails; <paramref name="divergentStep"/> is where the original failed.</summary>
    public Scenario Shrink(Scenario original, int divergentStep)
    {
        var current = original;
        if (divergentStep <= current.Commands.Count)
            current = current with { Commands = current.Commands.Take(divergentStep).ToValueList() };
        while (true)
        {
            var before = current;
            current = ShrinkList(current, s => s.Commands, (s, l) => s with { Commands = l });
            current = ShrinkList(current, s => s.Domains, (s, l) => s with { Domains = l });
            current = ShrinkList(current, s => s.Nodes, (s, l) => s with { Nodes = l });
            current = SimplifyElements(current);
            if (current == before) break;
        }
        return current;
    }

    private bool Fails(Scenario candidate)
    {
        if (_runs >= _maxRuns) return false;
        _runs++;
        return _stillFails(candidate);
    }

    private bool Fails(byte[] candidate) => Fails(ScenarioDecoder.Decode(candidate, _options));

    private Scenario ShrinkList<T>(Scenario s, Func<Scenario, ValueList<T>> get, Func<Scenario, ValueList<T>, Scenario> with)
    {
        var kept = DeltaDebugging.Minimize(get(s).ToList(), list => Fails(with(s, list.ToValueList())));
        return with(s, kept.ToValueList());
    }

    private Scenario SimplifyElements(Scenario s)
    {
        if (TryFirst(s, Simplifications.OfSetup(s), plainer => plainer, out var plain)) s = plain;
        if (TryFirst(s, Simplifications.SwappedConnections(s), swapped => swapped, out var better)) s = better;
        for (var i = 0; i < s.Commands.Count; i++)
        {
            if (TrySimplify(s, s.Commands[i], Simplifications.Of, c => s with { Commands = Replace(s.Commands, i, c) }, out var next)) s = next;
        }
        for (var i = 0; i < s.Nodes.Count; i++)
        {
            if (TrySimplify(s, s.Nodes[i], Simplifications.Of, n => s with { Nodes = Replace(s.Nodes, i, n) }, out var next)) s = next;
        }
        for (var i = 0; i < s.Domains.Count; i++)
        {
            if (TrySimplify(s, s.Domains[i], Simplifications.Of, d => s with { Domains = Replace(s.Domains, i, d) }, out var next)) s = next;
        }
        return s;
    }

    private const int NeutralDetours = 6;

    /// <summary>
    /// One element: the first smaller variant that still fails; failing that, a two-step detour through a
    /// variant of equal encoded length (e.g. another path) to one of its own variants that is smaller
    /// (e.g. then the default token, which the first path made impossible).
    /// </summary>
    private bool TrySimplify<T>(Scenario current, T element, Func<T, IEnumerable<T>> variants, Func<T, Scenario> build,
        [NotNullWhen(true)] out Scenario? result)
    {
        if (TryFirst(current, variants(element), build, out result)) return true;
        var bytes = Cost(current).Bytes;
        var detours = 0;
        foreach (var variant in variants(element))
        {
            var candidate = build(variant);
            if (Cost(candidate).Bytes != bytes || !Fails(candidate)) continue;
            foreach (var second in variants(variant))
            {
                var next = build(second);
                if (Cost(next).Bytes >= bytes || !Fails(next)) continue;
                result = next;
                return true;
            }
            if (++detours >= NeutralDetours) break;
        }
        result = null;
        return false;
    }

    /// <summary>The first variant that is smaller and still fails (variants come most aggressive first).</summary>
    private bool TryFirst<T>(Scenario current, IEnumerable<T> variants, Func<T, Scenario> build, [NotNullWhen(true)] out Scenario? result)
    {
        var cost = Cost(current);
        foreach (var variant in variants)
        {
            var candidate = build(variant);
            if (Cost(candidate).CompareTo(cost) >= 0 || !Fails(candidate)) continue;
            result = candidate;
            return true;
        }
        result = null;
        return false;
    }

    /// <summary>
    /// What "smaller" means for a simplification: encoded length, then text length, then how far the
    /// senders are from D0. The last one lets a sender move to D0 at equal length, which often enables
    /// a real reduction next (e.g. two watches that must be on one connection).
    /// </summary>
    private (int Bytes, int Text, int Senders) Cost(Scenario s)
    {
        try
        {
            return (ScenarioEncoder.Encode(s, _options).Length, ScenarioText.Print(s).Length, SenderRank(s));
        }
        catch (ArgumentException)
        {
            return (int.MaxValue, int.MaxValue, int.MaxValue);
        }
    }

    private static int SenderRank(Scenario s)
    {
        var rank = 0;
        foreach (var command in s.Commands)
        {
            var id = command switch
            {
                RequestCommand r => r.Connection,
                DrainCommand d => d.Connection,
                PartialCommand p => p.Request.Connection,
                _ => Xenstore.Xenstored.Dom0,
            };
            rank += id.Kind == Xenstore.Domains.ConnectionKind.Socket ? id.Number : id.Number == 0 ? 0 : 3 + Math.Abs(id.Number % 1000);
        }
        return rank;
    }

    /// <summary>
    /// Byte-level finish, in rounds until the input stops getting smaller: delta debugging over the bytes,
    /// then each byte set to 0 (every choice's default), then the canonical re-encoding of the scenario
    /// the bytes decode to. Deleting or zeroing bytes changes picks inside a record, which finds
    /// shortcuts the scenario level does not model (another path or token that fails the same way);
    /// re-encoding drops the defaults that zeroing produced at the end of a record. Each round must
    /// lower (length, byte sum), so it terminates.
    /// </summary>
    public byte[] PolishBytes(byte[] bytes)
    {
        while (true)
        {
            var smaller = DeltaDebugging.Minimize(bytes.ToList(), list => Fails(list.ToArray())).ToArray();
            for (var i = 0; i < smaller.Length; i++)
            {
                if (smaller[i] == 0 || smaller[i] == Decoding.Framing.Separator) continue;
                var zeroed = (byte[])smaller.Clone();
                zeroed[i] = 0;
                if (Fails(zeroed)) smaller = zeroed;
            }
            var canonical = ScenarioEncoder.Encode(ScenarioDecoder.Decode(smaller, _options), _options);
            if (Measure(canonical).CompareTo(Measure(smaller)) < 0 && Fails(canonical)) smaller = canonical;
            if (Measure(smaller).CompareTo(Measure(bytes)) >= 0) return bytes;
            bytes = smaller;
        }
    }

    private static (int Length, int Sum) Measure(byte[] bytes) => (bytes.Length, bytes.Sum(b => (int)b));

    private static ValueList<T> Replace<T>(ValueList<T> list, int index, T item)
    {
        var copy = list.ToArray();
        copy[index] = item;
        return copy.ToValueList();
    }
}
