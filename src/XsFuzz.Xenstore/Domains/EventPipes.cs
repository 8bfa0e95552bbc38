using XsFuzz.Xenstore.Watches;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Domains;

/// <summary>
/// How a watch event travels in oxenstored 4.17 (connection.ml's BoundedPipe, xb.ml's BoundedQueue):
/// from the connection whose request caused it (its source queue, unbounded), into the watch's own
/// queue (at most quota-maxwatchevents), into the watcher's output queue (at most
/// quota-maxwatchevents events). Each stage passes items on, oldest first, only as far as the next one
/// takes them. An event that the watch's queue cannot take stays with its source, and a source with
/// an event waiting is not read (<see cref="Connection.CanInput"/>): a writer flooding a watcher that
/// does not read is stopped after about twice the limit, and memory stays bounded.
/// Queues are flushed only where oxenstored flushes them: when an event is pushed, and when the
/// source connection's output is written.
/// </summary>
internal static class EventPipes
{
    /// <summary>An event caused by <paramref name="source"/>'s request, for <paramref name="watch"/>.</summary>
    public static void Push(XenstoredConfig config, Connection source, Watch watch, Packet packet)
    {
        FlushSource(config, source);
        source.SourceEvents.Enqueue((watch, packet));
        FlushSource(config, source);
    }

    /// <summary>Passes the source's waiting events on, in order, until one does not fit.</summary>
    public static void FlushSource(XenstoredConfig config, Connection source)
    {
        while (source.SourceEvents.TryPeek(out var head) && PushToWatch(config, head.Watch, head.Packet))
            source.SourceEvents.Dequeue();
    }

    private static bool PushToWatch(XenstoredConfig config, Watch watch, Packet packet)
    {
        FlushWatch(config, watch);
        if (watch.PendingEvents.Count >= config.MaxWatchEvents) return false;
        watch.PendingEvents.Enqueue(packet);
        FlushWatch(config, watch);
        return true;
    }

    private static void FlushWatch(XenstoredConfig config, Watch watch)
    {
        while (watch.PendingEvents.TryPeek(out var packet) && watch.Owner.TryQueue(config, packet))
            watch.PendingEvents.Dequeue();
    }
}
