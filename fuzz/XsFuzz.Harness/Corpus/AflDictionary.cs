using System.Text;
using XsFuzz.Harness.Decoding;
using XsFuzz.Harness.Generation;
using XsFuzz.Harness.Scenarios;

namespace XsFuzz.Harness.Corpus;

/// <summary>
/// An AFL dictionary (`afl-fuzz -x`) of the model's vocabulary, in two forms: the words the decoder can
/// read as literal bytes (names, tokens, special paths, CONTROL commands and flags), and every command
/// record of the seed scenarios as the input format encodes it (a separator, then the record: one op with
/// its arguments), since a command's kind and arguments are choice bytes rather than text.
/// </summary>
public static class AflDictionary
{
    /// <summary>AFL++ rejects dictionary entries longer than this (MAX_DICT_FILE).</summary>
    public const int MaxEntryBytes = 128;

    public static IReadOnlyList<(string Name, byte[] Bytes)> Entries(HarnessOptions options)
    {
        var entries = new List<(string, byte[])>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string name, byte[] bytes)
        {
            if (bytes.Length > 0 && bytes.Length <= MaxEntryBytes && seen.Add(Convert.ToHexString(bytes))) entries.Add((name, bytes));
        }

        string[][] words = [Vocabulary.Names, Vocabulary.Tokens, Vocabulary.SpecialPaths, Vocabulary.ControlCommands, Vocabulary.ControlFlags];
        foreach (var word in words.SelectMany(w => w)) Add("word", Encoding.Latin1.GetBytes(word));

        foreach (var (name, text) in SeedScenarios.All)
        {
            var input = ScenarioEncoder.Encode(ScenarioParser.Parse(text), options);
            // Every record after the setup header, with the separator that starts it.
            for (var start = Array.IndexOf(input, Framing.Separator); start >= 0;)
            {
                var end = Array.IndexOf(input, Framing.Separator, start + 1);
                Add("record_" + name.Replace('-', '_'), input[start..(end < 0 ? input.Length : end)]);
                start = end;
            }
        }
        return entries;
    }

    /// <summary>The dictionary in AFL's text format: name="bytes", non-printable bytes as \xNN.</summary>
    public static string Format(IEnumerable<(string Name, byte[] Bytes)> entries)
    {
        var text = new StringBuilder("# AFL dictionary of the xsfuzz input format (xsfuzz dictionary)\n");
        var index = 0;
        foreach (var (name, bytes) in entries)
        {
            text.Append(name).Append('_').Append(index++).Append("=\"");
            foreach (var b in bytes)
            {
                if (b is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\') text.Append((char)b);
                else text.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            text.Append("\"\n");
        }
        return text.ToString();
    }
}
