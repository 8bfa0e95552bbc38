using XsFuzz.Harness.Running;
using System.Diagnostics;
using System.Globalization;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// oxenstored's live update, as xenstore-control does it: <c>live-update -s -t N</c> queues it and
/// answers <c>BUSY</c>; the daemon re-execs itself (same pid) once no connection blocks it; further
/// <c>-s</c> calls answer <c>BUSY</c> until the new process answers <c>OK</c>. If blockers remain when
/// the N seconds are over, the update is dropped and the next <c>-s</c> returns their list, one line per
/// connection: <c>A4: 1 tx, out: false, perm: ...</c>.
/// </summary>
internal static class OxenstoredLiveUpdate
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(2);

    /// <summary>The refusal reason of a connection with transactions open (the C daemon's too).</summary>
    public const string TransactionsReason = "open transactions";

    /// <summary>The refusal reason of a domain connection with SET_TARGET permissions.</summary>
    public const string SetTargetReason = "SET_TARGET permissions";

    /// <param name="idle">
    /// With its gate on, the update is first asked with <c>-t 0</c>: the daemon then decides at once, and
    /// the blockers it names are those that would still be there after <see cref="RunSettings.OxenstoredWaitSeconds"/>
    /// (nothing else reaches the daemon in between), plus one of its own: the BUSY reply to that request,
    /// still unsent on the control socket when it decides. A refusal naming that line alone is asked
    /// again with the wait, which then ends as soon as the reply has left; any other refusal is final,
    /// and costs no wait.
    /// </param>
    public static LiveUpdateResult Perform(ControlChannel control, IDaemon daemon, RunSettings settings, IdleGate? idle = null)
    {
        if (idle is { Gates: true })
        {
            var quick = Ask(control, daemon, settings, 0, idle);
            if (quick.Status != LiveUpdateStatus.Refused) return quick;
            if (WithoutOwnReply(quick.Detail) is { } others) return Refused(others);
        }
        return Ask(control, daemon, settings, settings.OxenstoredWaitSeconds, idle);
    }

    private static LiveUpdateResult Ask(ControlChannel control, IDaemon daemon, RunSettings settings, int waitSeconds, IdleGate? idle) =>
        Poll(args => control.Call(settings.ReplyTimeout, Op.Control, args), daemon, idle, waitSeconds,
            settings.LiveUpdateTimeout + TimeSpan.FromSeconds(waitSeconds), where: null);

    /// <summary>
    /// Queues the update with <c>live-update -s -t waitSeconds</c> through <paramref name="call"/> (the
    /// control socket or dom0's ring) and polls with <c>-s</c> until OK, a refusal or
    /// <paramref name="limit"/>. Behind the gate each poll already waits for the daemon's next idle
    /// moment, which comes right after it decided (or after the new process's first pass): no sleep.
    /// </summary>
    internal static LiveUpdateResult Poll(Func<string[], (Packet? Reply, Ending Ending)> call, IDaemon daemon, IdleGate? idle,
        int waitSeconds, TimeSpan limit, string? where)
    {
        var (first, ending) = call(["live-update", "-s", "-t", waitSeconds.ToString(CultureInfo.InvariantCulture)]);
        if (first is null) return Lost(daemon, where is null ? "live-update -s" : $"live-update -s ({where})", ending);
        if (Text(first) != "BUSY") return Unexpected(first);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (idle is not { Gates: true }) Thread.Sleep(PollEvery);
            var (reply, how) = call(["live-update", "-s"]);
            if (reply is null) return Lost(daemon, where is null ? "live-update -s (polling)" : $"live-update -s ({where}, polling)", how);
            var text = Text(reply);
            if (text == "OK") return LiveUpdateResult.Done;
            if (text != "BUSY") return reply.Op == Op.Control ? Refused(text) : Unexpected(reply);
            if (clock.Elapsed > limit)
                return new LiveUpdateResult(LiveUpdateStatus.Failed, "still BUSY", $"still BUSY after {limit.TotalSeconds:F0} s");
        }
    }

    /// <summary>
    /// The blocker lines of a <c>-t 0</c> refusal over the control socket without the one for the
    /// control socket's own BUSY reply (a socket with no transaction and output queued), or null when
    /// that was the only line. Sockets are renumbered by a live update, so the name cannot tell which
    /// socket line is the control's: one is dropped, the first not named A1 or A2 if there is one (the
    /// names <see cref="Refused"/> reads as a scenario socket's unread output).
    /// </summary>
    internal static string? WithoutOwnReply(string text)
    {
        var lines = Lines(text).ToList();
        var own = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            var (who, tail) = Blocker(lines[i]);
            if (who is not ['A', ..] || !tail.StartsWith("0 tx, out: true", StringComparison.Ordinal)) continue;
            if (own < 0 || (Blocker(lines[own]).Who is "A1" or "A2" && who is not ("A1" or "A2"))) own = i;
        }
        if (own < 0) return text;
        lines.RemoveAt(own);
        return lines.Count == 0 ? null : string.Join('\n', lines);
    }

    /// <summary>
    /// The blocker lines of a refusal, each split into the connection's name (<c>A1</c>, <c>D5</c>; null
    /// for a line of another form) and the tail (<c>1 tx, out: false, perm: ...</c>).
    /// </summary>
    internal static IEnumerable<(string? Who, string Tail)> BlockerLines(string text) => Lines(text).Select(Blocker);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static (string? Who, string Tail) Blocker(string line)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? (null, line) : (line[..colon], line[(colon + 2)..]);
    }

    /// <summary>Whether a blocker line's tail counts open transactions.</summary>
    internal static bool HoldsTransactions(string tail) => !tail.StartsWith("0 tx", StringComparison.Ordinal);

    /// <summary>Reasons from the blocker lines, without names or counts.</summary>
    internal static LiveUpdateResult Refused(string text)
    {
        var reasons = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (who, rest) in BlockerLines(text))
        {
            if (who is null) { reasons.Add("other"); continue; }
            if (HoldsTransactions(rest)) reasons.Add(TransactionsReason);
            // A socket's queued output at the deadline is mostly the BUSY reply to the runner's own poll
            // on the control socket (A4): everything else written to a socket leaves at once while the
            // kernel buffer takes it. A domain's ring can hold a client's unread output, and so can the
            // scenario's sockets A1, A2 once their kernel buffer is full (the listener, A2, never reads).
            if (rest.Contains("out: true", StringComparison.Ordinal) && (who.StartsWith('D') || who is "A1" or "A2"))
                reasons.Add("unread output");
            // A domain's connection with no transaction and no output is blocked by its permissions
            // (SET_TARGET makes them non-default, and those are not dumped: "set_target not dumped yet")
            // or by a request its guest has only begun to write (xb's has_partial_input). The line's
            // perm is Perms.Connection.to_string: main then target, each `domid"letters"` (%i%S), so a
            // second element is a target. Without one, the guest is mid-request: a split request.
            // A socket in that state is mid-packet (the runner's own polling): no reason of its own.
            // Nor is dom0's own ring (D0), which the runner never uses and SET_TARGET cannot restrict:
            // with the sandbox's shared ring pages oxenstored lists it too.
            if (rest.StartsWith("0 tx, out: false", StringComparison.Ordinal) && who.StartsWith('D') && who != "D0")
                reasons.Add(HasNoTarget(rest) ? PartialInputReason : SetTargetReason);
        }
        if (reasons.Count == 0) reasons.Add(PartialInputReason);
        return new LiveUpdateResult(LiveUpdateStatus.Refused, string.Join(" + ", reasons), text);
    }

    /// <summary>The refusal reason of a connection with a request half read (a socket's, or a guest's split request).</summary>
    public const string PartialInputReason = "partial input";

    /// <summary>Whether the blocker line's perm is one <c>domid"letters"</c> element (no SET_TARGET target).</summary>
    private static bool HasNoTarget(string rest)
    {
        var at = rest.IndexOf("perm: ", StringComparison.Ordinal);
        if (at < 0) return false;
        var perm = rest[(at + 6)..];
        return perm.Count(c => c == '"') == 2 && perm.EndsWith('"');
    }

    private static string Text(Packet p) => Latin1.Decode(p.Payload);

    internal static LiveUpdateResult Unexpected(Packet reply)
    {
        // The daemon's answer names what went wrong ("Dump node walk error"); digits are dropped so that
        // equal failures group.
        var text = Latin1.Decode(reply.Payload).TrimEnd('\0');
        var words = new string([.. text.Where(c => !char.IsAsciiDigit(c)).Select(c => c < ' ' ? ' ' : c)]);
        var reason = reply.Op == Op.Control && words.Length is > 0 and <= 60 ? "answered \"" + words.Trim() + "\"" : "unexpected " + OpNames.Name(reply.Type) + " reply";
        return new(LiveUpdateStatus.Failed, reason, reply.ToString());
    }

    /// <summary>
    /// No answer: a death if the daemon died. A daemon closes the runner's control connection only by
    /// dying (the socket's EOF comes a moment before the exit is visible), so then the exit is waited
    /// for longer than after a plain timeout.
    /// </summary>
    internal static LiveUpdateResult Lost(IDaemon daemon, string what, Ending ending) =>
        daemon.DeathNote(ending == Ending.Closed ? ClosedGrace : TimeSpan.FromMilliseconds(300)) is not null ? Died(daemon)
        : new LiveUpdateResult(LiveUpdateStatus.Failed, ending == Ending.Timeout ? "no answer" : "control connection closed",
            $"{what}: {(ending == Ending.Timeout ? "no answer in time" : "the connection was closed")}");

    private static readonly TimeSpan ClosedGrace = TimeSpan.FromSeconds(2);

    internal static LiveUpdateResult Died(IDaemon daemon) =>
        new(LiveUpdateStatus.Failed, "daemon died: " + (daemon.DeathNote(TimeSpan.FromMilliseconds(300)) ?? "?"),
            "the daemon exited:\n" + daemon.OutputTail());
}
