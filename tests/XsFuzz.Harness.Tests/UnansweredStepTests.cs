using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Tests;

/// <summary>
/// A difference after a guest's step that neither side answered is tagged (allow-list: oxenstored's lost
/// port, whose queued requests the updated daemon serves late); one after an unanswered socket step is
/// not, and neither is a death.
/// </summary>
public class UnansweredStepTests
{
    private static readonly ConnectionId Guest = ConnectionId.Ring(1);
    private static readonly ConnectionId Socket = ConnectionId.Socket(1);

    [Fact]
    public void A_difference_after_a_guest_step_neither_side_answered_is_tagged()
    {
        var signature = Run(Guest, diesAfterward: false);
        Assert.Equal("reply to READ: READ payload (after a ring step neither side answered)", signature);
    }

    [Fact]
    public void A_socket_step_neither_side_answered_tags_nothing()
    {
        Assert.Equal("reply to READ: READ payload", Run(Socket, diesAfterward: false));
    }

    [Fact]
    public void A_death_after_an_unanswered_guest_step_is_not_tagged()
    {
        Assert.Equal("A died: killed by signal 11", Run(Guest, diesAfterward: true));
    }

    /// <summary>LIVE-UPDATE; a READ on <paramref name="silent"/> that neither side answers; a READ on A1 that differs (or that A dies at).</summary>
    private static string Run(ConnectionId silent, bool diesAfterward)
    {
        var scenario = ScenarioParser.Parse(ScenarioText.Header + "\n" + $"""
            domain 1
            LIVE-UPDATE
            {silent} tx0 READ /quiet
            A1 tx0 READ /differs
            """);
        var updated = new ScriptedTarget("A", silent, differs: true, diesAtDiffers: diesAfterward);
        var reference = new ScriptedTarget("B", silent, differs: false, diesAtDiffers: false);
        var divergence = new PairRun(updated, reference, PairMode.LiveUpdate, StateCheck.Walks).Run(scenario);
        return Assert.IsType<Divergence>(divergence).Signature;
    }

    /// <summary>
    /// Answers every request with its own op and payload, except: a READ of /quiet on the silent
    /// connection gets nothing (timeout), and a READ of /differs gets another payload on the side that
    /// differs, or a closed connection on the side that dies there.
    /// </summary>
    private sealed class ScriptedTarget(string label, ConnectionId silent, bool differs, bool diesAtDiffers) : ITarget
    {
        private bool _dead;

        public string Label => label;

        public IReadOnlyList<ConnectionId> Connections => [Socket, Xenstored.Dom0, Guest];

        public Delivery Exchange(ConnectionId connection, Packet request)
        {
            var path = Latin1.Decode(request.Payload).TrimEnd('\0');
            if (connection == silent && path == "/quiet") return new Delivery([], Ending.Timeout);
            if (path != "/differs") return Answer(request, request.Payload);
            if (diesAtDiffers)
            {
                _dead = true;
                return Delivery.ClosedEmpty;
            }
            return Answer(request, differs ? "other\0"u8 : request.Payload);
        }

        private static Delivery Answer(Packet request, ReadOnlySpan<byte> payload) =>
            new([new Packet(request.Type, request.RequestId, request.TxId, payload)], Ending.Complete);

        public Delivery Drain(ConnectionId connection) => Delivery.NothingQueued;

        public void SendPart(ConnectionId connection, byte[] bytes) { }

        public Delivery Complete(ConnectionId connection, byte[] rest, Packet? request) => Delivery.NothingQueued;

        public LiveUpdateResult LiveUpdate() => LiveUpdateResult.Done;

        public string Walk() => "/  perms n0  value \"\"\n";

        public string? DeathNote() => _dead ? "killed by signal 11" : null;

        public string Diagnostics() => label;

        public void Dispose() { }
    }
}
