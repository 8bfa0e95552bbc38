using System.Globalization;
using XsFuzz.Harness;
using XsFuzz.Harness.Corpus;

namespace XsFuzz.RealDaemons.Campaign;

/// <summary>
/// Where a campaign's inputs come from: files and folders (a corpus, an AFL queue, a fuzz.sh output
/// folder), or, with none, random inputs from a seed, the same ones `xsfuzz check` uses. Thread-safe:
/// the workers take inputs from it one at a time.
/// </summary>
public sealed class InputSource
{
    private readonly Lock _gate = new();
    private readonly Queue<string>? _files;
    private RandomInputs? _random;
    private (int Seed, int MaxCommands)? _afterFiles;
    private int _randomMaxCommands;
    private CampaignInput? _single;
    private long _taken;

    private InputSource(Queue<string>? files, RandomInputs? random, CampaignInput? single, int maxCommands)
    {
        _files = files;
        _random = random;
        _single = single;
        _randomMaxCommands = maxCommands;
    }

    public int? FileCount => _files?.Count;

    public static InputSource Random(int seed, int maxCommands) => new(null, new RandomInputs(seed), null, maxCommands);

    public static InputSource Single(string name, byte[] bytes) => new(null, null, new CampaignInput(name, bytes), 0);

    /// <summary>Files as given; a folder gives its files, or its AFL queue(s) when it is an AFL output folder.</summary>
    /// <exception cref="FileNotFoundException">A path does not exist.</exception>
    public static InputSource Files(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (File.Exists(path)) files.Add(path);
            else if (Directory.Exists(path)) files.AddRange(FilesIn(path));
            else throw new FileNotFoundException($"no such file or folder: {path}", path);
        }
        return new InputSource(new Queue<string>(files), null, null, 0);
    }

    private static IEnumerable<string> FilesIn(string folder)
    {
        if (Directory.Exists(Path.Combine(folder, "queue"))) return InputFiles.In(Path.Combine(folder, "queue"));
        var workers = Directory.GetDirectories(folder).Where(d => Directory.Exists(Path.Combine(d, "queue"))).Order(StringComparer.Ordinal).ToList();
        return workers.Count > 0 ? workers.SelectMany(w => InputFiles.In(Path.Combine(w, "queue"))) : InputFiles.In(folder);
    }

    /// <summary>Once the files are used up, go on with random inputs (a campaign with a time limit then never runs dry).</summary>
    public InputSource ThenRandom(int seed, int maxCommands)
    {
        _afterFiles = (seed, maxCommands);
        return this;
    }

    /// <summary>The next input, or null when the files (or the single input) are used up.</summary>
    public CampaignInput? Next()
    {
        lock (_gate)
        {
            _taken++;
            if (_random is not null)
                return new CampaignInput(string.Create(CultureInfo.InvariantCulture, $"random-{_taken}"), _random.Next(_randomMaxCommands));
            if (_single is not null)
            {
                var single = _single;
                _single = null;
                return single;
            }
            while (_files is not null && _files.TryDequeue(out var file))
            {
                byte[] bytes;
                try { bytes = File.ReadAllBytes(file); }
                catch (IOException) { continue; }
                catch (UnauthorizedAccessException) { continue; }
                if (bytes.Length > 0) return new CampaignInput(file, bytes);
            }
            if (_afterFiles is not { } after) return null;
            _random = new RandomInputs(after.Seed);
            _randomMaxCommands = after.MaxCommands;
            _afterFiles = null;
            return new CampaignInput(string.Create(CultureInfo.InvariantCulture, $"random-{_taken}"), _random.Next(_randomMaxCommands));
        }
    }
}
