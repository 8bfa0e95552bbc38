using System.Globalization;
using System.Text;
using XsFuzz.Xenstore.Processing;
using XsFuzz.Xenstore.Quotas;
using XsFuzz.Xenstore.Store;
using XsFuzz.Xenstore.Watches;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Migration;

/// <summary>
/// The canonical state of a daemon as stable text, one fact per line so that a diff of two snapshots
/// reads well: counters, the live tree (with values, perms and node stamps), quotas, domains, the global
/// watch trie, and per connection its target, transaction counter, watches, queued output and open
/// transactions (with their start and private trees, low paths, write ops and request log). Equal text = equal state:
/// nothing observable is left out and no field may legitimately differ after a live update.
/// </summary>
public sealed record StateSnapshot(string Text)
{
    public static StateSnapshot Of(Xenstored daemon) => new(Render(daemon.State));

    public override string ToString() => Text;

    private static string Render(Daemon d)
    {
        var text = new StringBuilder();
        var c = d.Config;
        // Everything below is compared field by field by StateComparer: keep the two in step
        // (tests/XsFuzz.Xenstore.Tests/Migration/ComparerSnapshotTests changes each field and checks both).
        text.Append(c).Append('\n');
        text.Append(CultureInfo.InvariantCulture,
            $"counters next-stamp={d.Stamps.Peek} next-socket={d.NextSocketNumber} next-watch={d.NextWatchSequence}\n");
        var lu = d.UpdateRequest;
        text.Append(CultureInfo.InvariantCulture,
            $"live-update pending={lu.Pending} force={lu.Force} timeout={lu.TimeoutSeconds} binary={Latin1.Quote(lu.Binary)} result=[{string.Join(", ", lu.Result.Select(Latin1.Quote))}] args=[{string.Join(", ", lu.ExtraArguments.Select(Latin1.Quote))}]\n");
        AppendTree(text, "", d.Live.Root);
        AppendQuota(text, "", "quota", d.Live.Quota);
        foreach (var domain in d.Domains.Values)
            text.Append(CultureInfo.InvariantCulture, $"domain {domain.Domid} mfn={domain.Mfn} port={domain.RemotePort}\n");
        foreach (var (key, watches) in d.Trie.Lists())
        {
            text.Append("trie ").Append(KeyText(key)).Append(' ');
            text.AppendJoin(", ", watches.Select(w => $"#{w.Sequence.ToString(CultureInfo.InvariantCulture)} {w.Owner.Id}{Unregistered(d, w)}"));
            text.Append('\n');
        }
        foreach (var connection in d.Connections.Values)
        {
            var target = connection.Perms.Target?.ToString(CultureInfo.InvariantCulture) ?? "-";
            // The perms' own domid is the connection's in every daemon; shown only if not, like a watch's key.
            var main = connection.Perms.Main == connection.Domid ? "" : $" perms-domid={connection.Perms.Main}";
            // Like perms-domid: the count of queued events is shown only if it is not the count in the queue.
            var events = connection.Output.Count(p => p.Type == (uint)Op.WatchEvent);
            var queuedEvents = connection.QueuedEvents == events ? "" : $" queued-events={connection.QueuedEvents}";
            text.Append(CultureInfo.InvariantCulture,
                $"connection {connection.Id} domid={connection.Domid}{main} target={target} next-tx={connection.NextTransactionId} watches={connection.WatchCount}{queuedEvents}\n");
            var watches = connection.WatchesByPath.SelectMany(entry => entry.Value.Select(w => (Key: entry.Key, Watch: w)));
            foreach (var (key, watch) in watches.OrderBy(w => w.Watch.Sequence))
            {
                var keyText = key == watch.AbsolutePath ? "" : $" key={Latin1.Quote(key)} absolute={Latin1.Quote(watch.AbsolutePath)}";
                text.Append(CultureInfo.InvariantCulture, $"  watch #{watch.Sequence} {Latin1.Quote(watch.Path)} {Latin1.Quote(watch.Token)}{keyText}\n");
                foreach (var packet in watch.PendingEvents) text.Append("    pending ").Append(packet).Append('\n');
            }
            foreach (var (watch, packet) in connection.SourceEvents)
                text.Append(CultureInfo.InvariantCulture, $"  waiting for watch #{watch.Sequence}{Unregistered(d, watch)} ").Append(packet).Append('\n');
            foreach (var packet in connection.Output) text.Append("  queued ").Append(packet).Append('\n');
            if (connection.PartialInput.Length > 0) text.Append("  partial-input ").Append(Latin1.Quote(connection.PartialInput)).Append('\n');
            foreach (var t in connection.Transactions.Values)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"  transaction {t.Id} read-low={t.ReadLow?.ToString() ?? "-"} write-low={t.WriteLow?.ToString() ?? "-"} quota-reached={t.QuotaReached}\n");
                foreach (var op in t.WriteOps) text.Append(CultureInfo.InvariantCulture, $"    write-op {OpNames.Name((uint)op.Op)} {op.Path}\n");
                foreach (var logged in t.Log)
                {
                    var r = logged.Response;
                    // An error's data too: the comparer reads it, so a report must be able to show it.
                    var answer = r.Kind == Transactions.ResponseKind.Error ? $"{r.Error} {Latin1.Quote(r.Data)}" : $"{r.Kind} {Latin1.Quote(r.Data)}";
                    text.Append("    logged ").Append(logged.Request).Append(" -> ").Append(answer).Append('\n');
                }
                AppendQuota(text, "    ", "start-quota", t.StartQuota);
                AppendTree(text, "    start ", t.StartRoot);
                AppendQuota(text, "    ", "view-quota", t.Store.Quota);
                AppendTree(text, "    view ", t.Store.Root);
            }
        }
        return text.ToString();
    }

    private static string Unregistered(Daemon d, Watch watch) => d.IsRegistered(watch) ? ""
        : string.Create(CultureInfo.InvariantCulture,
            $" (unregistered: {watch.Owner.Id} {Latin1.Quote(watch.Path)} {Latin1.Quote(watch.Token)}, {watch.PendingEvents.Count} pending")
          + (d.IsClosed(watch.Owner)
              ? string.Create(CultureInfo.InvariantCulture, $", owner closed with {watch.Owner.Output.Count} queued ({watch.Owner.QueuedEvents} events))")
              : ")");

    /// <summary>
    /// A trie key as its path ("/a/b", "/" for the root) when it is one, else its parts quoted, e.g.
    /// ["@introduceDomain"]: never two keys with one text.
    /// </summary>
    private static string KeyText(string[] key) =>
        key.Length > 0 && key[0].Length == 0 && key.Skip(1).All(part => part.Length > 0 && !part.Contains('/'))
            ? Latin1.Quote("/" + string.Join('/', key.Skip(1)))
            : "[" + string.Join(' ', key.Select(Latin1.Quote)) + "]";

    private static void AppendTree(StringBuilder text, string prefix, Node root)
    {
        foreach (var (path, node) in Tree.Walk(root))
        {
            text.Append(prefix).Append(CultureInfo.InvariantCulture, $"node {path} #{node.Stamp} {node.Perms} {Latin1.Quote(node.Value)}\n");
        }
    }

    private static void AppendQuota(StringBuilder text, string indent, string label, QuotaTable quota)
    {
        text.Append(indent).Append(label);
        foreach (var (domid, count) in quota.Counts) text.Append(CultureInfo.InvariantCulture, $" dom{domid}={count}");
        text.Append('\n');
    }
}
