using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>Request/reply on the runner's control connection, with the runner's own request ids.</summary>
internal sealed class ControlChannel(DaemonConnection connection)
{
    private uint _nextId = SyncPoint.RunnerIds + 0x8_0000;

    /// <summary>Sends a request with NUL-terminated arguments; the reply, or null with why there is none.</summary>
    public (Packet? Reply, Ending Ending) Call(TimeSpan within, Op op, params string[] args)
    {
        var request = Packet.Request(op, _nextId++, 0, args);
        connection.Send(request);
        var (_, end, ending) = connection.ReadUntil(p => SyncPoint.IsReplyTo(p, request.RequestId), within);
        return (end, ending);
    }
}
