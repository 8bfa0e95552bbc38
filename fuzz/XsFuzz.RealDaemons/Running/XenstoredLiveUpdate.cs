using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// The C daemon's live update: <c>live-update -f BINARY</c> names the new binary (the same one here),
/// then <c>live-update -s -t 0 [-F]</c> is answered only when it is over: <c>OK</c> by the new process
/// after it restored the state, or a refusal ("Domains with long running transactions: ...") when
/// transactions are open and -F was not given. With -F it updates anyway and drops the transactions.
/// </summary>
internal static class XenstoredLiveUpdate
{
    public static LiveUpdateResult Perform(ControlChannel control, IDaemon daemon, string binary, RunSettings settings)
    {
        var (named, ending) = control.Call(settings.ReplyTimeout, Op.Control, "live-update", "-f", binary);
        if (named is null) return OxenstoredLiveUpdate.Lost(daemon, "live-update -f", ending);
        if (Text(named) != "OK\0") return OxenstoredLiveUpdate.Unexpected(named);
        string[] start = settings.ForceXenstored ? ["live-update", "-s", "-t", "0", "-F"] : ["live-update", "-s", "-t", "0"];
        var (done, how) = control.Call(settings.LiveUpdateTimeout, Op.Control, start);
        if (done is null) return OxenstoredLiveUpdate.Lost(daemon, "live-update -s", how);
        var text = Text(done);
        if (text == "OK\0") return LiveUpdateResult.Done;
        if (done.Op == Op.Control && text.Contains("transactions", StringComparison.Ordinal))
            return new LiveUpdateResult(LiveUpdateStatus.Refused, OxenstoredLiveUpdate.TransactionsReason, text.TrimEnd('\0'));
        return OxenstoredLiveUpdate.Unexpected(done);
    }

    private static string Text(Packet p) => Latin1.Decode(p.Payload);
}
