using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Watches;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Processing;

/// <summary>WATCH, UNWATCH and RESET_WATCHES (spec §7.1, §7.7).</summary>
internal static class WatchRequests
{
    public static Response Watch(RequestContext c)
    {
        if (!TryPathAndToken(c, out var path, out var token)) return Response.Fail(XsError.EINVAL);
        var absolute = Paths.XsPath.Absolute(path, c.Domid);
        if (absolute is null || WatchTrie.KeyOf(absolute) is null) return Response.Fail(XsError.EINVAL);
        var connection = c.Connection;
        var config = c.Daemon.Config;
        if (config.QuotaActivate && config.MaxWatch > 0 && !c.Privileged && connection.WatchCount > config.MaxWatch)
            return Response.Fail(XsError.EQUOTA);
        if (connection.HasWatch(absolute, token)) return Response.Fail(XsError.EEXIST);

        var watch = new Watch(connection, path, token, absolute, c.Daemon.NextWatchSequence++);
        c.Daemon.AddWatch(watch);
        c.NewWatch = watch;
        return Response.Ack;
    }

    public static Response Unwatch(RequestContext c)
    {
        if (!TryPathAndToken(c, out var path, out var token)) return Response.Fail(XsError.EINVAL);
        var absolute = Paths.XsPath.Absolute(path, c.Domid);
        if (absolute is null) return Response.Fail(XsError.EINVAL);
        var connection = c.Connection;
        if (!connection.WatchesByPath.TryGetValue(absolute, out var watches)) return Response.Fail(XsError.ENOENT);
        var watch = watches.Find(w => w.Token == token);
        if (watch is null) return Response.Fail(XsError.ENOENT);
        watches.Remove(watch);
        if (watches.Count == 0) connection.WatchesByPath.Remove(absolute);
        connection.WatchCount--;
        c.Daemon.Trie.Remove(WatchTrie.KeyOf(absolute)!, watch);
        return Response.Ack;
    }

    /// <summary>Removes every watch and every transaction of the connection, whoever asks.</summary>
    public static Response ResetWatches(RequestContext c)
    {
        c.Daemon.RemoveWatches(c.Connection);
        c.Connection.Transactions.Clear();
        return Response.Ack;
    }

    /// <summary>The payload <c>path\0token\0</c> exactly (split8 into three pieces, the last empty).</summary>
    private static bool TryPathAndToken(RequestContext c, out string path, out string token)
    {
        var pieces = PayloadSplit.Split(c.Payload, 8);
        var ok = pieces.Count == 3 && pieces[2].Length == 0;
        path = ok ? pieces[0] : "";
        token = ok ? pieces[1] : "";
        return ok;
    }
}
