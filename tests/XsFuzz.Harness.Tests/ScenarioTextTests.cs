using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Tests;

public class ScenarioTextTests
{
    internal static Scenario Sample() => new(
        ValueList.Of(new DomainSetup(3, null), new DomainSetup(5, 0)),
        ValueList.Of(
            new NodeSetup("/local/domain/3", "", ValueList.Of("n3")),
            new NodeSetup("/a", "v\0\x01\"\\", ValueList.Of("n0", "r3", "b\x7f")),
            new NodeSetup("@odd name", "x", ValueList<string>.Empty)),
        ValueList.Of<Command>(
            new RequestCommand(ConnectionId.Ring(3), 0, (uint)Op.Write, "/local/domain/3/a\0v\0"),
            new RequestCommand(ConnectionId.Socket(1), 2, (uint)Op.Read, "a\0"),
            new RequestCommand(ConnectionId.Ring(0), 0, (uint)Op.Read, "/a\0\0"),
            new RequestCommand(ConnectionId.Ring(0), 0, (uint)Op.Read, "/a"),
            new RequestCommand(ConnectionId.Ring(0), 0, (uint)Op.Write, "noNul"),
            new RequestCommand(ConnectionId.Ring(0), 0, (uint)Op.Write, ""),
            new RequestCommand(ConnectionId.Ring(0), 0, (uint)Op.TransactionStart, ""),
            new RequestCommand(ConnectionId.Ring(0), 7, (uint)Op.TransactionEnd, "T\0"),
            new RequestCommand(ConnectionId.Ring(0), 0, 99, "\0"),
            new RequestCommand(ConnectionId.Ring(0), 0, (uint)Op.Control, "live-update\0-s\0"),
            new RequestCommand(ConnectionId.Ring(-1), 0, (uint)Op.Watch, "raw:\"x\0#tok\0"),
            LiveUpdateCommand.Instance,
            new DrainCommand(ConnectionId.Ring(3))));

    [Fact]
    public void Prints_one_command_a_line()
    {
        var text = ScenarioText.Print(Sample());
        Assert.Contains("domain 5 target 0\n", text);
        Assert.Contains("node /a \"v\\x00\\x01\\\"\\\\\" n0 r3 \"b\\x7f\"\n", text);
        Assert.Contains("D3 tx0 WRITE /local/domain/3/a \"v\\x00\"\n", text);
        Assert.Contains("A1 tx2 READ a\n", text);
        Assert.Contains("D0 tx0 READ /a \"\"\n", text);
        Assert.Contains("D0 tx0 READ raw:\"/a\"\n", text);
        Assert.Contains("D0 tx0 TRANSACTION_START\n", text);
        Assert.Contains("D0 tx0 99 \"\"\n", text);
        Assert.Contains("LIVE-UPDATE\nDRAIN D3\n", text);
    }

    [Fact]
    public void Text_parses_back_to_the_same_scenario()
    {
        var scenario = Sample();
        Assert.Equal(scenario, ScenarioParser.Parse(ScenarioText.Print(scenario)));
        Assert.Equal(scenario, ScenarioParser.Parse(ScenarioText.Print(scenario, numbered: true, mark: 3)));
    }

    [Fact]
    public void Parser_accepts_comments_and_blank_lines_and_rejects_junk()
    {
        var s = ScenarioParser.Parse("# hello\n\n  D0 tx0 READ /a   # trailing\r\n");
        Assert.Single(s.Commands);
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("X0 tx0 READ /a"));
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("D0 t0 READ /a"));
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("D0 tx0 NOPE /a"));
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("D0 tx0 READ \"unterminated"));
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("D0 tx0 READ a\"b\""));
        Assert.Throws<ScenarioFormatException>(() => ScenarioParser.Parse("domain x"));
    }

    [Fact]
    public void A_quoted_word_that_looks_like_a_raw_marker_stays_a_word()
    {
        var s = new Scenario(ValueList<DomainSetup>.Empty, ValueList<NodeSetup>.Empty,
            ValueList.Of<Command>(new RequestCommand(ConnectionId.Ring(0), 0, (uint)Op.Read, "raw:\"x\"\0")));
        Assert.Equal(s, ScenarioParser.Parse(ScenarioText.Print(s)));
    }
}
