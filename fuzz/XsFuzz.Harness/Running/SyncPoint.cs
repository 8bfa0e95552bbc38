using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>
/// The marker that tells a reader "everything before this was queued before": a harmless READ of "/"
/// with a request id no scenario uses, written right after the request (in the same write) or alone
/// for a drain. A daemon answers a connection's requests in order and queues its watch events in the
/// same queue, so when the sync reply arrives, every packet the step caused is in. The model gets the
/// same READ, so both sides see identical traffic, and its reply is removed on both.
/// </summary>
/// <remarks>
/// Sending it in the same write also matters for oxenstored's empty packets: oxenstored processes a
/// zero-length request only once another byte arrives on the connection (see PacketReader); the sync
/// point is that byte, so an empty request is answered at its own step, as in the model.
/// </remarks>
public static class SyncPoint
{
    /// <summary>Request ids from here on are the runner's own (sync points, live updates, walks).</summary>
    public const uint RunnerIds = 0xFFF0_0000;

    public static Packet Make(uint requestId) => Packet.Request(Op.Read, requestId, 0, "/");

    public static bool IsReplyTo(Packet packet, uint requestId) =>
        packet.RequestId == requestId && packet.Op != Op.WatchEvent;
}
