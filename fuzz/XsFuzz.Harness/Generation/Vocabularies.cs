using XsFuzz.Xenstore;

namespace XsFuzz.Harness.Generation;

/// <summary>
/// The <see cref="Vocabulary"/> of each configuration of a <see cref="HarnessOptions"/>, built with the
/// options instead of once per decoded input (AFL's hot path). Immutable. Derived from the options'
/// configurations alone, so it never decides whether two options are equal.
/// </summary>
internal sealed class Vocabularies(IReadOnlyList<NamedConfig> configs)
{
    private readonly Vocabulary[] _each = [.. configs.Select(c => new Vocabulary(c.Config))];

    /// <summary>The vocabulary of <paramref name="config"/>, an object of the list these were built from (else a new one).</summary>
    public Vocabulary Of(NamedConfig config)
    {
        for (var i = 0; i < configs.Count; i++)
        {
            if (ReferenceEquals(configs[i], config)) return _each[i];
        }
        return new Vocabulary(config.Config);
    }

    public override bool Equals(object? obj) => obj is Vocabularies;

    public override int GetHashCode() => 0;
}
