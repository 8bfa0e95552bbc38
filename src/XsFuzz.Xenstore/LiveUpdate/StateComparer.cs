using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Processing;
using XsFuzz.Xenstore.Quotas;
using XsFuzz.Xenstore.Store;
using XsFuzz.Xenstore.Transactions;

namespace XsFuzz.Xenstore.LiveUpdate;

/// <summary>
/// Whether two daemons have the same state, field by field, without rendering text: the fast check
/// the harness runs after every live update. It compares exactly what <see cref="StateSnapshot"/>
/// prints, so <c>Same(a, b)</c> holds exactly when the two snapshots' texts are equal; render the
/// snapshots only to explain a difference.
/// </summary>
public static class StateComparer
{
    public static bool Same(Xenstored first, Xenstored second)
    {
        var a = first.State;
        var b = second.State;
        return a.Config == b.Config
            && a.Stamps.Peek == b.Stamps.Peek
            && a.NextSocketNumber == b.NextSocketNumber
            && a.NextWatchSequence == b.NextWatchSequence
            && SameControl(a.LiveUpdate, b.LiveUpdate)
            && SameTree(a.Live.Root, b.Live.Root)
            && SameQuota(a.Live.Quota, b.Live.Quota)
            && SameDomains(a, b)
            && SameConnections(a, b);
    }

    private static bool SameControl(LiveUpdateControl a, LiveUpdateControl b) =>
        a.Pending == b.Pending && a.Force == b.Force && a.TimeoutSeconds == b.TimeoutSeconds && a.Binary == b.Binary
        && a.Result.SequenceEqual(b.Result) && a.ExtraArguments.SequenceEqual(b.ExtraArguments);

    private static bool SameTree(Node a, Node b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a.Stamp != b.Stamp || a.Name != b.Name || !a.Perms.Equals(b.Perms) || !a.Value.AsSpan().SequenceEqual(b.Value)
            || a.Children.Count != b.Children.Count) return false;
        using var left = a.Children.Values.GetEnumerator();
        using var right = b.Children.Values.GetEnumerator();
        while (left.MoveNext() && right.MoveNext())
        {
            if (!SameTree(left.Current, right.Current)) return false;
        }
        return true;
    }

    private static bool SameQuota(QuotaTable a, QuotaTable b) =>
        a.Counts.Count == b.Counts.Count && a.Counts.SequenceEqual(b.Counts);

    private static bool SameDomains(Daemon a, Daemon b)
    {
        if (a.Domains.Count != b.Domains.Count) return false;
        foreach (var (x, y) in a.Domains.Values.Zip(b.Domains.Values))
        {
            if (x.Domid != y.Domid || x.Mfn != y.Mfn || x.RemotePort != y.RemotePort) return false;
        }
        return true;
    }

    private static bool SameConnections(Daemon a, Daemon b)
    {
        if (a.Connections.Count != b.Connections.Count) return false;
        foreach (var (x, y) in a.Connections.Values.Zip(b.Connections.Values))
        {
            if (!SameConnection(x, y)) return false;
        }
        return true;
    }

    private static bool SameConnection(Connection a, Connection b)
    {
        if (a.Id != b.Id || a.Domid != b.Domid || a.Perms != b.Perms || a.NextTransactionId != b.NextTransactionId
            || a.WatchCount != b.WatchCount || !a.Output.SequenceEqual(b.Output)
            || a.Transactions.Count != b.Transactions.Count) return false;
        var watchesA = a.WatchesByPath.Values.SelectMany(w => w).OrderBy(w => w.Sequence);
        var watchesB = b.WatchesByPath.Values.SelectMany(w => w).OrderBy(w => w.Sequence);
        if (!watchesA.Select(w => (w.Sequence, w.Path, w.Token)).SequenceEqual(watchesB.Select(w => (w.Sequence, w.Path, w.Token))))
            return false;
        foreach (var (x, y) in a.Transactions.Values.Zip(b.Transactions.Values))
        {
            if (!SameTransaction(x, y)) return false;
        }
        return true;
    }

    private static bool SameTransaction(Transaction a, Transaction b) =>
        a.Id == b.Id && Equals(a.ReadLow, b.ReadLow) && Equals(a.WriteLow, b.WriteLow) && a.QuotaReached == b.QuotaReached
        && a.WriteOps.SequenceEqual(b.WriteOps)
        && a.Log.Count == b.Log.Count && a.Log.Zip(b.Log).All(p => p.First.Request.Equals(p.Second.Request) && p.First.Response.SameAs(p.Second.Response))
        && SameQuota(a.StartQuota, b.StartQuota) && SameTree(a.StartRoot, b.StartRoot)
        && SameQuota(a.Store.Quota, b.Store.Quota) && SameTree(a.Store.Root, b.Store.Root);
}
