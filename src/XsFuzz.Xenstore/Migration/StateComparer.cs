using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Processing;
using XsFuzz.Xenstore.Quotas;
using XsFuzz.Xenstore.Store;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Watches;

namespace XsFuzz.Xenstore.Migration;

/// <summary>
/// Whether two daemons have the same state, field by field, without rendering text: the fast check
/// the harness runs after every live update. It compares exactly what <see cref="StateSnapshot"/>
/// prints, so <c>Same(a, b)</c> holds exactly when the two snapshots' texts are equal (for the trees:
/// up to a collision of their 64-bit <see cref="Node.Hash"/>es); render the snapshots only to explain
/// a difference.
/// </summary>
/// <remarks>
/// The harness runs this after every live update, so most collections are walked in step with their
/// struct enumerators (the other side's advanced by hand: the counts were compared first) rather than
/// with LINQ's Zip, and quota counts as maps: SequenceEqual over their KeyValuePairs boxed every pair.
/// </remarks>
public static class StateComparer
{
    public static bool Same(Xenstored first, Xenstored second) => new Comparison().Same(first.State, second.State);

    /// <summary>One comparison.</summary>
    private sealed class Comparison
    {
        public bool Same(Daemon a, Daemon b) =>
            a.Config == b.Config
            && a.Stamps.Peek == b.Stamps.Peek
            && a.NextSocketNumber == b.NextSocketNumber
            && a.NextWatchSequence == b.NextWatchSequence
            && SameControl(a.UpdateRequest, b.UpdateRequest)
            && SameTree(a.Live.Root, b.Live.Root)
            && SameQuota(a.Live.Quota, b.Live.Quota)
            && SameDomains(a, b)
            && SameTrie(a, b)
            && SameConnections(a, b);

        private static bool SameControl(UpdateRequest a, UpdateRequest b) =>
            a.Pending == b.Pending && a.Force == b.Force && a.TimeoutSeconds == b.TimeoutSeconds && a.Binary == b.Binary
            && a.Result.SequenceEqual(b.Result) && a.ExtraArguments.SequenceEqual(b.ExtraArguments);

        /// <summary>
        /// Stamps, names, values, permissions, children: all in the hash each node computed when it was
        /// made, so the restored tree (all new nodes) and the reference's are not walked here at all.
        /// </summary>
        private static bool SameTree(Node a, Node b) => a.Hash == b.Hash;

        private static bool SameQuota(QuotaTable a, QuotaTable b)
        {
            if (ReferenceEquals(a, b)) return true;
            // Equal as maps, so equal in order (both are sorted by domid).
            if (a.Counts.Count != b.Counts.Count) return false;
            foreach (var (domid, count) in a.Counts)
            {
                if (!b.Counts.TryGetValue(domid, out var other) || other != count) return false;
            }
            return true;
        }

        private static bool SameDomains(Daemon a, Daemon b)
        {
            if (a.Domains.Count != b.Domains.Count) return false;
            var other = b.Domains.Values.GetEnumerator();
            foreach (var x in a.Domains.Values)
            {
                other.MoveNext();
                var y = other.Current;
                if (x.Domid != y.Domid || x.Mfn != y.Mfn || x.RemotePort != y.RemotePort) return false;
            }
            return true;
        }

        /// <summary>
        /// The global watch trie, which events are matched against: the same keys, and in each list the
        /// same registered watches in the same order (a restore rebuilds it apart from the connections' lists).
        /// </summary>
        private static bool SameTrie(Daemon a, Daemon b)
        {
            var (x, y) = (a.Trie.Lists(), b.Trie.Lists());
            if (x.Count != y.Count) return false;
            for (var i = 0; i < x.Count; i++)
            {
                var (keyA, watchesA) = x[i];
                var (keyB, watchesB) = y[i];
                if (!keyA.AsSpan().SequenceEqual(keyB) || watchesA.Count != watchesB.Count) return false;
                for (var j = 0; j < watchesA.Count; j++)
                {
                    var (w, v) = (watchesA[j], watchesB[j]);
                    if (w.Sequence != v.Sequence || w.Owner.Id != v.Owner.Id || a.IsRegistered(w) != b.IsRegistered(v)) return false;
                }
            }
            return true;
        }

        private bool SameConnections(Daemon a, Daemon b)
        {
            if (a.Connections.Count != b.Connections.Count) return false;
            var other = b.Connections.Values.GetEnumerator();
            foreach (var x in a.Connections.Values)
            {
                other.MoveNext();
                if (!SameConnection(a, x, b, other.Current)) return false;
            }
            return true;
        }

        private bool SameConnection(Daemon da, Connection a, Daemon db, Connection b)
        {
            if (a.Id != b.Id || a.Domid != b.Domid || a.Perms != b.Perms || a.NextTransactionId != b.NextTransactionId
                || a.WatchCount != b.WatchCount || a.QueuedEvents != b.QueuedEvents || !a.Output.SequenceEqual(b.Output)
                || !a.PartialInput.AsSpan().SequenceEqual(b.PartialInput)
                || !SameSourceEvents(da, a, db, b)
                || a.Transactions.Count != b.Transactions.Count || !SameWatches(a, b)) return false;
            var other = b.Transactions.Values.GetEnumerator();
            foreach (var x in a.Transactions.Values)
            {
                other.MoveNext();
                if (!SameTransaction(x, other.Current)) return false;
            }
            return true;
        }

        /// <summary>Per path, the lists are newest first; same paths, same lists means the same registration order.</summary>
        private static bool SameWatches(Connection a, Connection b)
        {
            if (a.WatchesByPath.Count != b.WatchesByPath.Count) return false;
            var other = b.WatchesByPath.GetEnumerator();
            foreach (var x in a.WatchesByPath)
            {
                other.MoveNext();
                var y = other.Current;
                if (x.Key != y.Key || x.Value.Count != y.Value.Count) return false;
                for (var i = 0; i < x.Value.Count; i++)
                {
                    var (w, v) = (x.Value[i], y.Value[i]);
                    if (w.Sequence != v.Sequence || w.Path != v.Path || w.Token != v.Token || w.AbsolutePath != v.AbsolutePath
                        || !w.PendingEvents.SequenceEqual(v.PendingEvents)) return false;
                }
            }
            return true;
        }

        /// <summary>
        /// Whether an event waits for a registered watch is state, and so is where an unregistered one
        /// forwards to (its owner, live or closed with what that queue holds, and its own queue): a restore
        /// rebuilds those from records of their own.
        /// </summary>
        private static bool SameSourceEvents(Daemon da, Connection a, Daemon db, Connection b)
        {
            if (a.SourceEvents.Count != b.SourceEvents.Count) return false;
            foreach (var (x, y) in a.SourceEvents.Zip(b.SourceEvents))
            {
                if (x.Watch.Sequence != y.Watch.Sequence || !x.Packet.Equals(y.Packet)) return false;
                var registered = da.IsRegistered(x.Watch);
                if (registered != db.IsRegistered(y.Watch)) return false;
                if (!registered && !SameDetached(da, x.Watch, db, y.Watch)) return false;
            }
            return true;
        }

        private static bool SameDetached(Daemon da, Watch x, Daemon db, Watch y)
        {
            var closed = da.IsClosed(x.Owner);
            return x.Owner.Id == y.Owner.Id && x.Path == y.Path && x.Token == y.Token && x.PendingEvents.SequenceEqual(y.PendingEvents)
                && closed == db.IsClosed(y.Owner)
                && (!closed || (x.Owner.QueuedEvents == y.Owner.QueuedEvents && x.Owner.Output.SequenceEqual(y.Owner.Output)));
        }

        private bool SameTransaction(Transaction a, Transaction b)
        {
            if (a.Id != b.Id || !Equals(a.ReadLow, b.ReadLow) || !Equals(a.WriteLow, b.WriteLow)
                || a.QuotaReached != b.QuotaReached || !a.WriteOps.SequenceEqual(b.WriteOps) || a.Log.Count != b.Log.Count)
                return false;
            for (var i = 0; i < a.Log.Count; i++)
            {
                if (!a.Log[i].Request.Equals(b.Log[i].Request) || !a.Log[i].Response.SameAs(b.Log[i].Response)) return false;
            }
            return SameQuota(a.StartQuota, b.StartQuota) && SameTree(a.StartRoot, b.StartRoot)
                && SameQuota(a.Store.Quota, b.Store.Quota) && SameTree(a.Store.Root, b.Store.Root);
        }
    }
}
