using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace XsFuzz.Cli;

/// <summary>
/// Turns a command line System.CommandLine could not use into one line a person can act on: an
/// unknown command or option with the nearest known name, a bad number without .NET type names.
/// System.CommandLine's own messages miss both ("Required command was not provided." for a typo in
/// the command; an unknown option of replay becomes a FILE argument).
/// </summary>
internal static class ParseErrors
{
    /// <summary>The problem with the command line, or null when it can run.</summary>
    public static string? Explain(ParseResult parse, string[] args)
    {
        if (parse.Action is { ClearsParseErrors: true }) return null;   // --help, --version
        var command = parse.CommandResult.Command;
        var where = CommandPath(parse.CommandResult);
        var help = $"see '{where} --help'";

        // A command that only holds commands (the root, `real`): the first word must name one of them.
        if (command.Subcommands.Count > 0 && command.Action is null)
        {
            var word = parse.UnmatchedTokens.FirstOrDefault(t => !LooksLikeOption(t));
            if (word is null && parse.UnmatchedTokens.Count == 0 && args.Length > 0 && parse.Errors.Count == 0) return null;
            if (word is null && parse.UnmatchedTokens.FirstOrDefault() is { } option)
                return UnknownOption(option, command, where, help);
            var names = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name).ToList();
            if (word is null) return $"'{where}' needs a command: {string.Join(", ", names)} ({help})";
            return $"unknown command '{word}'{Nearest(word, names)} ({help})";
        }

        // An option-looking word that landed among the command's arguments (before any "--"), or was
        // left over, is an option the command does not have.
        foreach (var token in StrayOptionTokens(parse))
            return UnknownOption(token, command, where, help);
        if (parse.UnmatchedTokens.Count > 0)
            return $"unexpected argument '{parse.UnmatchedTokens[0]}' ({help})";

        if (parse.Errors.Count == 0) return null;
        var error = parse.Errors[0];
        if (BadNumber(error) is { } number) return $"{number} ({help})";
        return $"{error.Message} See '{where} --help'.";   // System.CommandLine's own sentence, kept whole
    }

    /// <summary>The name of an argument whose words go to another program as they are.</summary>
    public const string PassThroughArgument = "words";

    private static string UnknownOption(string token, Command command, string where, string help)
    {
        var name = token.Split('=', 2)[0];
        return $"unknown option '{name}' for '{where}'{Nearest(name, OptionNames(command))} ({help})";
    }

    private static IEnumerable<string> StrayOptionTokens(ParseResult parse)
    {
        var doubleDash = IndexOf(parse.Tokens, t => t.Type == TokenType.DoubleDash);
        foreach (var argument in parse.CommandResult.Children.OfType<ArgumentResult>())
        {
            // `control`'s words are a CONTROL request for the daemon ("live-update -s"), not our options.
            if (argument.Argument.Name == PassThroughArgument) continue;
            foreach (var token in argument.Tokens)
            {
                var at = IndexOf(parse.Tokens, t => ReferenceEquals(t, token));
                if (LooksLikeOption(token.Value) && (doubleDash < 0 || at < doubleDash)) yield return token.Value;
            }
        }
        foreach (var token in parse.UnmatchedTokens.Where(LooksLikeOption)) yield return token;
    }

    private static int IndexOf(IReadOnlyList<Token> tokens, Func<Token, bool> match)
    {
        for (var i = 0; i < tokens.Count; i++)
            if (match(tokens[i])) return i;
        return -1;
    }

    /// <summary>"-x", "--name", "--name=value"; not "-" alone nor a negative number.</summary>
    private static bool LooksLikeOption(string token) =>
        token.Length > 1 && token[0] == '-' && !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>Every option name and alias a command accepts, its own and the ones it inherits (--help).</summary>
    private static List<string> OptionNames(Command command)
    {
        var names = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).ToList();
        foreach (var parent in Ancestors(command))
            names.AddRange(parent.Options.Where(o => o.Recursive).SelectMany(o => o.Aliases.Prepend(o.Name)));
        return names.Distinct().ToList();
    }

    private static IEnumerable<Command> Ancestors(Command command)
    {
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null;
             parent = parent.Parents.OfType<Command>().FirstOrDefault())
            yield return parent;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is not null; r = r.Parent)
            if (r is CommandResult c) names.Insert(0, c.Parent is null ? "xsfuzz" : c.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>"; did you mean 'X'?" for the closest name within a few edits, else nothing.</summary>
    internal static string Nearest(string word, IEnumerable<string> names)
    {
        var best = names
            .Select(n => (Name: n, Distance: EditDistance(word.TrimStart('-'), n.TrimStart('-'))))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault();
        var allowed = Math.Max(2, word.TrimStart('-').Length / 3);
        return best.Name is not null && best.Distance <= allowed ? $"; did you mean '{best.Name}'?" : "";
    }

    /// <summary>Levenshtein distance, with a swap of two neighbours counted as one edit.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }

    /// <summary>"--count needs a whole number, not 'abc'" instead of a message naming System.Nullable`1.</summary>
    private static string? BadNumber(ParseError error)
    {
        var option = error.SymbolResult switch
        {
            OptionResult o => o,
            ArgumentResult { Parent: OptionResult o } => o,
            _ => null,
        };
        if (option is null || option.Tokens.Count == 0) return null;
        var type = Nullable.GetUnderlyingType(option.Option.ValueType) ?? option.Option.ValueType;
        var value = option.Tokens[0].Value;
        var (kind, valid) = type switch
        {
            _ when type == typeof(int) => ("a whole number (at most 2147483647)", int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)),
            _ when type == typeof(long) => ("a whole number (at most 9223372036854775807)", long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)),
            _ when type == typeof(double) => ("a number", double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)),
            _ => ("", true),
        };
        return valid ? null : $"{option.Option.Name} needs {kind}, not '{value}'";
    }
}
