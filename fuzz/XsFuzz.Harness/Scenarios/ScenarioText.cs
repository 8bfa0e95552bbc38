using System.Globalization;
using System.Text;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Scenarios;

/// <summary>
/// The text form of a scenario, one element a line:
/// <code>
/// config small-quotas
/// listener 8
/// domain 3 target 0
/// node /local/domain/3 "" n3
/// D3 tx0 WRITE /local/domain/3/a "v\x00"
/// A1 tx2 SET_PERMS /a n0 r3
/// D0 tx0 READ raw:"/a\x00\x00"
/// LIVE-UPDATE
/// DRAIN D3
/// PARTIAL 10 D3 tx0 WRITE /local/domain/3/b v
/// </code>
/// A request's payload prints as its NUL-terminated pieces (WRITE: path and the verbatim value), or as
/// <c>raw:"..."</c> when it has no such form. Words are bare when made of <c>A-Za-z0-9_@/.+-</c>, else
/// quoted with <c>\"</c>, <c>\\</c> and <c>\xNN</c> escapes. The <c>config</c> line is printed only when
/// the configuration is not Debian's (the default), the <c>listener</c> line only when there is one. <see cref="ScenarioParser"/> reads it back.
/// </summary>
public static class ScenarioText
{
    public const string Header = "# xsfuzz scenario";

    public static string Print(Scenario scenario) => Print(scenario, numbered: false, mark: -1);

    /// <summary>
    /// With <paramref name="numbered"/> every command line starts with its 1-based step number ("12:"),
    /// and the step <paramref name="mark"/> with "&gt;&gt;"; the parser skips both.
    /// </summary>
    public static string Print(Scenario scenario, bool numbered, int mark)
    {
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        if (scenario.Config != Xenstore.ConfigVariants.Debian.Name) text.Append("config ").Append(Word(scenario.Config)).Append('\n');
        if (scenario.Listener > 0) text.Append("listener ").Append(Int(scenario.Listener)).Append('\n');
        foreach (var domain in scenario.Domains) text.Append(Domain(domain)).Append('\n');
        foreach (var node in scenario.Nodes) text.Append(Node(node)).Append('\n');
        for (var i = 0; i < scenario.Commands.Count; i++)
        {
            var step = i + 1;
            if (numbered)
            {
                text.Append(step == mark ? ">> " : "   ");
                text.Append(step.ToString(CultureInfo.InvariantCulture).PadLeft(3)).Append(": ");
            }
            text.Append(Command(scenario.Commands[i])).Append('\n');
        }
        return text.ToString();
    }

    public static string Domain(DomainSetup domain) =>
        "domain " + Int(domain.Domid) + (domain.Target is { } t ? " target " + Int(t) : "");

    public static string Node(NodeSetup node)
    {
        var text = new StringBuilder("node ").Append(Word(node.Path)).Append(' ').Append(Word(node.Value));
        foreach (var perm in node.Perms) text.Append(' ').Append(Word(perm));
        return text.ToString();
    }

    public static string Command(Command command) => command switch
    {
        LiveUpdateCommand => "LIVE-UPDATE",
        DrainCommand d => "DRAIN " + Connection(d.Connection),
        PartialCommand p => "PARTIAL " + Int(p.Bytes) + " " + Request(p.Request),
        RequestCommand r => Request(r),
        _ => throw new ArgumentException("unknown command " + command.GetType().Name, nameof(command)),
    };

    public static string Request(RequestCommand r)
    {
        var text = new StringBuilder();
        text.Append(Connection(r.Connection)).Append(" tx").Append(r.Tx.ToString(CultureInfo.InvariantCulture))
            .Append(' ').Append(OpNames.Name(r.Type));
        var payload = Payload(r.Type, r.Payload);
        if (payload.Length > 0) text.Append(' ').Append(payload);
        return text.ToString();
    }

    /// <summary>ConnectionId's own form (D3, A1), but with a sign for the odd negative domid.</summary>
    public static string Connection(ConnectionId id) =>
        (id.Kind == ConnectionKind.Ring ? "D" : "A") + Int(id.Number);

    /// <summary>The payload as words: pieces when it has a canonical NUL-terminated form, else raw.</summary>
    public static string Payload(uint type, string payload)
    {
        if (payload.Length == 0) return "";
        if (type == (uint)Op.Write)
        {
            var nul = payload.IndexOf('\0', StringComparison.Ordinal);
            if (nul >= 0) return Word(payload[..nul]) + " " + Word(payload[(nul + 1)..]);
            return "raw:" + Quote(payload);
        }
        if (payload[^1] != '\0') return "raw:" + Quote(payload);
        var text = new StringBuilder();
        var start = 0;
        while (start < payload.Length)
        {
            var nul = payload.IndexOf('\0', start);
            if (text.Length > 0) text.Append(' ');
            text.Append(Word(payload[start..nul]));
            start = nul + 1;
        }
        return text.ToString();
    }

    /// <summary>A bare word when safe, else a quoted string.</summary>
    public static string Word(string bytes)
    {
        if (bytes.Length == 0) return "\"\"";
        foreach (var c in bytes)
        {
            if (!IsBare(c)) return Quote(bytes);
        }
        return bytes;
    }

    public static bool IsBare(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '@' or '/' or '.' or '+' or '-';

    public static string Quote(string bytes) => Latin1.Quote(bytes);

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
