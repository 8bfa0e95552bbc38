using System.Globalization;
using System.Text;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Scenarios;

/// <summary>A line of scenario text that does not parse; the message names the line.</summary>
public sealed class ScenarioFormatException(string message) : Exception(message);

/// <summary>Reads the text of <see cref="ScenarioText"/> back into a <see cref="Scenario"/>.</summary>
public static class ScenarioParser
{
    public static Scenario Parse(string text)
    {
        var domains = new List<DomainSetup>();
        var nodes = new List<NodeSetup>();
        var commands = new List<Command>();
        string? config = null;
        int? listener = null;
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            List<Word> words;
            try
            {
                words = Tokenize(line);
            }
            catch (FormatException e)
            {
                throw new ScenarioFormatException($"line {lineNumber}: {e.Message}: {line}");
            }
            if (words.Count == 0) continue;
            try
            {
                switch (words[0].Raw ? "" : words[0].Text)
                {
                    case "config":
                        if (config is not null || domains.Count + nodes.Count + commands.Count > 0)
                            throw new FormatException("one config line, before everything else");
                        if (words.Count != 2) throw new FormatException("expected: config <name>");
                        config = Text(words[1]);
                        break;
                    case "listener":
                        if (listener is not null || domains.Count + nodes.Count + commands.Count > 0)
                            throw new FormatException("one listener line, before domains, nodes and commands");
                        var n = words.Count == 2 ? ParseInt(Text(words[1])) : 0;
                        if (n is < 1 or > Scenario.ListenerMax) throw new FormatException($"expected: listener <watches, 1..{Scenario.ListenerMax}>");
                        listener = n;
                        break;
                    case "domain": domains.Add(ParseDomain(words)); break;
                    case "node": nodes.Add(ParseNode(words)); break;
                    default: commands.Add(ParseCommand(words)); break;
                }
            }
            catch (FormatException e)
            {
                throw new ScenarioFormatException($"line {lineNumber}: {e.Message}: {line}");
            }
        }
        var scenario = new Scenario(domains.ToValueList(), nodes.ToValueList(), commands.ToValueList());
        if (config is not null) scenario = scenario with { Config = config };
        return listener is null ? scenario : scenario with { Listener = listener.Value };
    }

    private static DomainSetup ParseDomain(List<Word> words)
    {
        if (words.Count == 2) return new DomainSetup(ParseInt(Text(words[1])), null);
        if (words.Count == 4 && Text(words[2]) == "target")
            return new DomainSetup(ParseInt(Text(words[1])), ParseInt(Text(words[3])));
        throw new FormatException("expected: domain <domid> [target <domid>]");
    }

    private static NodeSetup ParseNode(List<Word> words)
    {
        if (words.Count < 3) throw new FormatException("expected: node <path> <value> [perm...]");
        return new NodeSetup(Text(words[1]), Text(words[2]), words.Skip(3).Select(Text).ToValueList());
    }

    private static string Text(Word word) =>
        word.Raw ? throw new FormatException("raw: is only allowed as a request payload") : word.Text;

    private static Command ParseCommand(List<Word> raw)
    {
        if (raw.Take(3).Any(w => w.Raw)) throw new FormatException("raw: is only allowed as a request payload");
        var words = raw.Select(w => w.Text).ToList();
        if (words[0] == "LIVE-UPDATE")
        {
            if (words.Count != 1) throw new FormatException("LIVE-UPDATE takes no arguments");
            return LiveUpdateCommand.Instance;
        }
        if (words[0] == "DRAIN")
        {
            if (words.Count != 2) throw new FormatException("expected: DRAIN <connection>");
            return new DrainCommand(ParseConnection(words[1]));
        }
        if (words[0] == "PARTIAL")
        {
            if (words.Count < 3 || !int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) || bytes < 1)
                throw new FormatException("expected: PARTIAL <bytes, 1 or more> <connection> tx<id> <OP> [args...]");
            if (ParseCommand(raw.GetRange(2, raw.Count - 2)) is not RequestCommand request)
                throw new FormatException("PARTIAL takes a request");
            var length = Packet.HeaderSize + request.Payload.Length;
            if (bytes >= length) throw new FormatException($"PARTIAL {bytes} is not less than the request's {length} bytes");
            return new PartialCommand(request, bytes);
        }
        if (words.Count < 3) throw new FormatException("expected: <connection> tx<id> <OP> [args...]");
        var connection = ParseConnection(words[0]);
        if (!words[1].StartsWith("tx", StringComparison.Ordinal)
            || !uint.TryParse(words[1].AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var tx))
            throw new FormatException($"bad transaction '{words[1]}' (expected tx<number>)");
        if (!OpNames.TryParse(words[2], out var type)) throw new FormatException($"unknown op '{words[2]}'");
        return new RequestCommand(connection, tx, type, ParsePayload(type, raw.GetRange(3, raw.Count - 3)));
    }

    private static string ParsePayload(uint type, List<Word> args)
    {
        if (args.Count == 0) return "";
        if (args.Any(a => a.Raw))
        {
            if (args.Count != 1) throw new FormatException("raw: payload must be the only argument");
            return args[0].Text;
        }
        if (type == (uint)Op.Write && args.Count == 2) return args[0].Text + "\0" + args[1].Text;
        var payload = new StringBuilder();
        foreach (var arg in args) payload.Append(arg.Text).Append('\0');
        return payload.ToString();
    }

    public static ConnectionId ParseConnection(string word)
    {
        if (word.Length >= 2 && (word[0] == 'D' || word[0] == 'A')
            && int.TryParse(word.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            return word[0] == 'D' ? ConnectionId.Ring(n) : ConnectionId.Socket(n);
        throw new FormatException($"bad connection '{word}' (expected D<domid> or A<n>)");
    }

    private static int ParseInt(string word) =>
        int.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n : throw new FormatException($"bad number '{word}'");

    /// <summary>One word of a line; <see cref="Raw"/> for a raw:"..." payload.</summary>
    internal readonly record struct Word(string Text, bool Raw);

    /// <summary>
    /// Splits a line into words: bare words, quoted strings (with escapes decoded), raw:"..." payloads.
    /// A leading "&gt;&gt;" marker and "N:" step number are skipped; '#' starts a comment outside quotes.
    /// </summary>
    internal static List<Word> Tokenize(string line)
    {
        var words = new List<Word>();
        var i = 0;
        while (true)
        {
            while (i < line.Length && (line[i] == ' ' || line[i] == '\t')) i++;
            if (i >= line.Length || line[i] == '#') break;
            if (line[i] == '"')
            {
                words.Add(new Word(ReadQuoted(line, ref i), false));
            }
            else if (string.CompareOrdinal(line, i, "raw:\"", 0, 5) == 0)
            {
                i += 4;
                words.Add(new Word(ReadQuoted(line, ref i), true));
            }
            else
            {
                var start = i;
                while (i < line.Length && line[i] != ' ' && line[i] != '\t') i++;
                var word = line[start..i];
                var isMarker = words.Count == 0 && (word == ">>"
                    || (word.Length > 1 && word[^1] == ':' && word[..^1].All(char.IsAsciiDigit)));
                if (isMarker) continue;
                foreach (var c in word)
                {
                    if (!ScenarioText.IsBare(c)) throw new FormatException($"character '{c}' must be quoted");
                }
                words.Add(new Word(word, false));
            }
        }
        return words;
    }

    private static string ReadQuoted(string line, ref int i)
    {
        i++; // opening quote
        var text = new StringBuilder();
        while (true)
        {
            if (i >= line.Length) throw new FormatException("unterminated string");
            var c = line[i++];
            if (c == '"') break;
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }
            if (i >= line.Length) throw new FormatException("dangling backslash");
            var e = line[i++];
            switch (e)
            {
                case '\\': text.Append('\\'); break;
                case '"': text.Append('"'); break;
                case 'n': text.Append('\n'); break;
                case 't': text.Append('\t'); break;
                case '0': text.Append('\0'); break;
                case 'x':
                    if (i + 2 > line.Length
                        || !byte.TryParse(line.AsSpan(i, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                        throw new FormatException("bad \\x escape");
                    text.Append((char)b);
                    i += 2;
                    break;
                default: throw new FormatException($"unknown escape \\{e}");
            }
        }
        if (i < line.Length && line[i] != ' ' && line[i] != '\t') throw new FormatException("text right after a closing quote");
        return text.ToString();
    }
}
