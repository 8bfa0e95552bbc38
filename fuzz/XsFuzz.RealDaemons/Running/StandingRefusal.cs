using System.Globalization;
using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// oxenstored's refusals of a live update that must recur until some request lifts them, so that a new
/// attempt is counted as refused without asking. Asking costs: over the control socket (after a
/// scenario released domain 0) without the idle gate each refusal waits out the daemon's own second
/// (<c>-t 1</c>), and a run with a few of them ran into the AFL target's budget; behind the gate a
/// refusal still costs a request and a poll.
/// <para>
/// Two blockers stand (read in Debian's 4.17 process.ml and connection.ml):
/// <list type="bullet">
/// <item>SET_TARGET permissions: only INTRODUCE, RELEASE or another SET_TARGET change a connection's.</item>
/// <item>Open transactions: a connection's transactions go only through TRANSACTION_END, RESET_WATCHES
/// (del_transactions), its domain's RELEASE (del_domain), or the connection's end (a socket closed on
/// a packet it cannot read, a domain marked bad, which no longer blocks). INTRODUCE and SET_TARGET
/// touch no transaction. So this one stands over a well-formed request of the simple kinds below,
/// INTRODUCE, SET_TARGET, and a RELEASE of a domain the refusal did not name as holding transactions;
/// anything else lifts it.</item>
/// </list>
/// A request written in parts lifts both.
/// The C daemon refuses at once (<c>-t 0</c>), so it is always asked.
/// </para>
/// </summary>
internal sealed class StandingRefusal
{
    /// <summary>The stats' name for an attempt skipped because SET_TARGET permissions still block it.</summary>
    public const string SetTargetAgain = "SET_TARGET permissions (still; not retried)";

    /// <summary>The stats' name for an attempt skipped because the transactions that blocked the last one are still open.</summary>
    public const string TransactionsAgain = "open transactions (still; not retried)";

    // Requests that neither end a transaction nor end or spoil a connection when well formed: each is a
    // plain store or watch operation in oxenstored (an error reply at worst).
    private static readonly HashSet<uint> KeepTransactions =
    [
        (uint)Op.Directory, (uint)Op.Read, (uint)Op.GetPerms, (uint)Op.Watch, (uint)Op.Unwatch,
        (uint)Op.TransactionStart, (uint)Op.GetDomainPath, (uint)Op.Write, (uint)Op.Mkdir, (uint)Op.Rm,
        (uint)Op.SetPerms, (uint)Op.IsDomainIntroduced,
    ];

    private readonly bool _applies;
    private bool _byTarget;
    private bool _byTransactions;
    // The domids whose connections held transactions at the last refusal (blocker lines "D5: 1 tx, ...").
    private readonly HashSet<long> _holders = [];

    public StandingRefusal(DaemonKind kind) => _applies = kind == DaemonKind.Oxenstored;

    /// <summary>The refusal to count instead of asking, or null when the daemon must be asked.</summary>
    public LiveUpdateResult? Standing() =>
        _byTarget ? new LiveUpdateResult(LiveUpdateStatus.Refused, SetTargetAgain, "")
        : _byTransactions ? new LiveUpdateResult(LiveUpdateStatus.Refused, TransactionsAgain, "")
        : null;

    /// <summary>Remembers what blocked an attempt the daemon was asked about.</summary>
    public void Asked(LiveUpdateResult result)
    {
        var refused = _applies && result.Status == LiveUpdateStatus.Refused;
        _byTarget = refused && result.Reason.Contains(OxenstoredLiveUpdate.SetTargetReason, StringComparison.Ordinal);
        _byTransactions = refused && result.Reason.Contains(OxenstoredLiveUpdate.TransactionsReason, StringComparison.Ordinal);
        _holders.Clear();
        if (!_byTransactions) return;
        foreach (var (who, rest) in OxenstoredLiveUpdate.BlockerLines(result.Detail))
        {
            if (who is ['D', ..] && OxenstoredLiveUpdate.HoldsTransactions(rest) && Domid(who[1..]) is { } domid) _holders.Add(domid);
        }
    }

    /// <summary>A whole request is about to be sent, on any connection.</summary>
    public void Sending(Packet request)
    {
        if (request.Type is (uint)Op.Introduce or (uint)Op.Release or (uint)Op.SetTarget) _byTarget = false;
        if (!KeepsTransactions(request)) _byTransactions = false;
    }

    private bool KeepsTransactions(Packet request)
    {
        if (request.Payload.Length > Packet.PayloadMax) return false;
        if (KeepTransactions.Contains(request.Type) || request.Type is (uint)Op.Introduce or (uint)Op.SetTarget) return true;
        if (request.Type != (uint)Op.Release) return false;
        // do_release reads exactly "domid NUL" (anything else is refused before any change) with OCaml's
        // int_of_string, which also takes 0x.., 0b.. and underscores: only plain decimal is judged here.
        var args = Latin1.Decode(request.Payload).Split('\0');
        if (args.Length != 2 || args[1].Length != 0) return true;
        return Domid(args[0]) is { } domid && !_holders.Contains(domid);
    }

    /// <summary>A domid written in plain decimal (as oxenstored prints it), or null.</summary>
    private static long? Domid(string text)
    {
        var digits = text.StartsWith('-') ? text[1..] : text;
        if (digits.Length is 0 or > 18 || !digits.All(char.IsAsciiDigit)) return null;
        return long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Part of a request is about to be sent (its first bytes, or the rest): the request may be any of
    /// the above, or no well-formed one, and is not judged here.
    /// </summary>
    public void SendingPart() => _byTarget = _byTransactions = false;
}
