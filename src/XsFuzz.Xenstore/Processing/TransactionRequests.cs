using System.Globalization;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Processing;

/// <summary>TRANSACTION_START and TRANSACTION_END with the commit procedure (spec §6.1-6.4).</summary>
internal static class TransactionRequests
{
    public static Response Start(RequestContext c)
    {
        if (c.Transaction.Id != Transaction.None) return Response.Fail(XsError.EBUSY);
        var error = Open(c.Daemon, c.Connection, out var id);
        if (error != XsError.None) return Response.Fail(error);
        return Response.Reply(Latin1.Encode(id.ToString(CultureInfo.InvariantCulture) + "\0"));
    }

    /// <summary>OCaml's <c>Connection.start_transaction</c>: quota (one more than the limit), then a new id.</summary>
    private static XsError Open(Daemon daemon, Connection connection, out uint id)
    {
        id = 0;
        var limit = daemon.Config.MaxTransaction;
        if (limit > 0 && !connection.Perms.IsPrivileged && connection.Transactions.Count > limit) return XsError.EQUOTA;
        id = connection.AllocateTransactionId();
        connection.Transactions[id] = new Transaction(id, daemon.Live);
        return XsError.None;
    }

    public static Response End(RequestContext c)
    {
        var first = PayloadSplit.Split(c.Payload, 8)[0];
        if (first != "T" && first != "F") return Response.Fail(XsError.EINVAL);
        var t = c.Transaction;
        if (!c.Connection.Transactions.Remove(t.Id)) return Response.Fail(XsError.ENOENT); // tx 0
        if (first == "F" || t.IsReadOnly) return Response.Ack;

        var error = Commit(c.Daemon, t) ? XsError.None : Replay(c.Daemon, c.Connection, t);
        if (error != XsError.None) return Response.Fail(error);
        // The events of every recorded change, before the OK. An event path that does not re-parse
        // makes oxenstored raise Invalid_path here, which it answers as EINVAL (already committed).
        return c.Daemon.Events.FireFor(t, c.Connection) ? Response.Ack : Response.Fail(XsError.EINVAL);
    }

    /// <summary>
    /// OCaml's <c>Transaction.commit</c>: the fast path when nothing was committed since the start,
    /// else coalescing when neither low path was touched (spec §6.4). False means "replay".
    /// </summary>
    public static bool Commit(Daemon daemon, Transaction t)
    {
        var live = daemon.Live;
        if (live.Root.Stamp == t.StartRoot.Stamp)
        {
            if (!t.IsReadOnly)
            {
                live.Root = t.Store.Root;
                live.Quota = t.Store.Quota;
            }
            return true;
        }
        var merge = daemon.Config.MergeActivate;
        if (!merge || !Coalescing.CanCoalesce(t.StartRoot, live.Root, t.ReadLow)
            || !Coalescing.CanCoalesce(t.StartRoot, live.Root, t.WriteLow)) return false;
        if (t.WriteLow is { } low && Store.Tree.Find(t.Store.Root, low) is { } node)
        {
            live.Root = Store.Tree.Graft(daemon.Stamps, live.Root, low, node);
            live.Quota = live.Quota.Merge(t.StartQuota, t.Store.Quota);
        }
        return true;
    }

    /// <summary>
    /// OCaml's <c>transaction_replay</c>: re-run the logged requests in a new transaction (which uses up
    /// a transaction id) and commit it if every response is the same as before; else EAGAIN.
    /// </summary>
    private static XsError Replay(Daemon daemon, Connection connection, Transaction t)
    {
        var error = Open(daemon, connection, out var id);
        if (error != XsError.None) return error;
        var replay = connection.Transactions[id];
        try
        {
            foreach (var logged in t.Log)
            {
                if (!RequestProcessor.IsReplayable(logged.Request.Type)) return XsError.EAGAIN;
                var again = RequestProcessor.Execute(new RequestContext(daemon, connection, replay, logged.Request));
                if (!again.SameAs(logged.Response)) return XsError.EAGAIN;
            }
            return Commit(daemon, replay) ? XsError.None : XsError.EAGAIN;
        }
        finally
        {
            connection.Transactions.Remove(id);
        }
    }
}
