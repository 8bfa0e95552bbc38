using XsFuzz.Xenstore;

namespace XsFuzz.Harness;

/// <summary>
/// Bounds and model configuration of one harness run. The bounds keep every input well under 10 ms; the
/// same options must be used to decode, encode and replay an input (they shape the decoding).
/// </summary>
public sealed record HarnessOptions
{
    /// <summary>Commands after this many are not decoded.</summary>
    public int MaxCommands { get; init; } = 64;

    /// <summary>Initial nodes decoded from records (domain home nodes come on top).</summary>
    public int MaxInitialNodes { get; init; } = 16;

    /// <summary>Initial domUs introduced before the commands.</summary>
    public int MaxInitialDomains { get; init; } = 4;

    /// <summary>
    /// The daemons' configurations (quotas, limits, the activate flags) the decoder chooses among, the
    /// same for both instances; the first is the choice of an input that does not say (Debian's file).
    /// One entry (<c>--config</c>) pins it: the input's choice is then not read at all.
    /// </summary>
    public IReadOnlyList<NamedConfig> Configs
    {
        get => _configs;
        init
        {
            _configs = value.Count > 0 ? value : throw new ArgumentException("at least one configuration", nameof(value));
            _vocabularies = new Generation.Vocabularies(value);
        }
    }

    private readonly IReadOnlyList<NamedConfig> _configs = ConfigVariants.All;

    private readonly Generation.Vocabularies _vocabularies = new(ConfigVariants.All);

    /// <summary>The word lists of one of <see cref="Configs"/>.</summary>
    internal Generation.Vocabulary VocabularyOf(NamedConfig config) => _vocabularies.Of(config);

    /// <summary>The configuration of that name among <see cref="Configs"/>, or null.</summary>
    public NamedConfig? FindConfig(string name)
    {
        foreach (var config in _configs)
        {
            if (config.Name == name) return config;
        }
        return null;
    }

    /// <summary>The options with one configuration only (what <c>--config</c> gives).</summary>
    public HarnessOptions Pinned(NamedConfig config) => this with { Configs = [config] };

    public static HarnessOptions Default { get; } = new();

    /// <summary>Debian's configuration only: what the real daemons in the sandbox run with.</summary>
    public static HarnessOptions DebianOnly { get; } = Default.Pinned(ConfigVariants.Debian);

    /// <summary>The configuration a scenario names.</summary>
    /// <exception cref="ArgumentException">It is not among <see cref="Configs"/>.</exception>
    public NamedConfig ConfigOf(Scenarios.Scenario scenario) => FindConfig(scenario.Config)
        ?? throw new ArgumentException($"config {scenario.Config} is not among the configurations in use ({string.Join(", ", _configs.Select(c => c.Name))})");
}
