using System.Threading.Channels;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Serve;

/// <summary>
/// The one place that touches the model, which is not thread-safe: every event from every client
/// arrives on one channel and is handled here to completion before the next, like oxenstored's
/// single-threaded main loop. After each request every connection's output (replies and watch
/// events, in order) goes to its writer, and a live update the request queued is carried out.
/// </summary>
internal sealed class DaemonLoop(LiveUpdateFault fault, ServeLog log)
{
    private static readonly byte[] ControlAbort = Latin1.NulTerminated("live-update", "-a");

    private readonly Channel<ServerEvent> _events = Channel.CreateUnbounded<ServerEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<ConnectionId, ClientConnection> _clients = [];
    private Xenstored _daemon = new();
    private int _liveUpdates;

    public ChannelWriter<ServerEvent> Events => _events.Writer;

    /// <summary>
    /// Handles events on a thread of its own until cancelled, then closes every client. The thread
    /// only blocks on the event channel, so the daemon never waits for the thread pool.
    /// </summary>
    public Task RunAsync(CancellationToken cancel)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Run(cancel);
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "xsfuzz serve daemon loop",
        };
        thread.Start();
        return done.Task;
    }

    private void Run(CancellationToken cancel)
    {
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                if (_events.Reader.TryRead(out var next)) Dispatch(next);
                else if (!_events.Reader.WaitToReadAsync(cancel).AsTask().GetAwaiter().GetResult()) break;
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
            // Whatever was still on its way: unblock the readers, close the clients never registered.
            while (_events.Reader.TryRead(out var left))
            {
                if (left is Received received) received.Client.Processed();
                if (left.Client.Id is null) left.Client.Close();
            }
            foreach (var client in _clients.Values.ToList()) End(client, "server stopping");
        }
    }

    private void Dispatch(ServerEvent next)
    {
        switch (next)
        {
            case Accepted accepted:
                Open(accepted.Client);
                break;
            case Received received:
                try
                {
                    foreach (var packet in received.Packets)
                    {
                        if (received.Client.IsClosed) break;
                        Process(received.Client, packet);
                    }
                }
                finally
                {
                    received.Client.Processed();
                }
                break;
            case Ended ended:
                if (ended.Last is { } last && ended.Client.Id is not null && !ended.Client.IsClosed)
                {
                    ended.Client.Close(); // first, so that its reply is dropped
                    Process(ended.Client, last);
                }
                End(ended.Client, ended.Reason);
                break;
        }
    }

    private void Open(ClientConnection client)
    {
        if (client.IsClosed) return;
        var id = _daemon.OpenSocket();
        client.Id = id;
        _clients[id] = client;
        log.Line($"{id} connected");
    }

    private void End(ClientConnection client, string reason)
    {
        if (client.Id is not { } id || !_clients.Remove(id)) return;
        _daemon.CloseConnection(id);
        client.Close();
        log.Line($"{id} disconnected ({reason}; {client.Requests} {(client.Requests == 1 ? "request" : "requests")})");
    }

    private void Process(ClientConnection client, Packet request)
    {
        var id = client.Id!.Value;
        client.Requests++;
        try
        {
            _daemon.Handle(id, request);
        }
        catch (Exception e)
        {
            // oxenstored answers EIO when a handler throws; here it means a bug in the model.
            log.Line($"{id}: the model threw on {request}: {e.GetType().Name}: {e.Message}");
            client.Output.Enqueue([new Packet((uint)Op.Error, request.RequestId, request.TxId, Latin1.NulTerminated("EIO"))]);
        }
        Flush();
        if (_daemon.LiveUpdatePending) RunLiveUpdate();
    }

    /// <summary>Hands every connection's queued packets to its writer; ring connections have no reader.</summary>
    private void Flush()
    {
        foreach (var id in _daemon.Connections)
        {
            var packets = _daemon.TakeOutput(id);
            if (packets.Count > 0 && _clients.TryGetValue(id, out var client)) client.Output.Enqueue(packets);
        }
    }

    /// <summary>
    /// A CONTROL <c>live-update -s</c> was queued (and answered BUSY): dump and restore the whole
    /// state, like oxenstored's re-exec, so that the next <c>-s</c> answers OK.
    /// </summary>
    private void RunLiveUpdate()
    {
        var number = ++_liveUpdates;
        try
        {
            _daemon = _daemon.LiveUpdate(fault);
            _daemon.CompleteLiveUpdate();
            log.Line($"live update {number}: state dumped and restored ({_clients.Count} clients kept)");
        }
        catch (Exception e)
        {
            // A model bug: keep serving the old state and drop the queued update (CONTROL live-update -a),
            // or every later request would try again.
            log.Line($"live update {number} failed, update abandoned: {e.GetType().Name}: {e.Message}");
            _daemon.Handle(Xenstored.Dom0, new Packet((uint)Op.Control, 0, 0, ControlAbort));
            _daemon.TakeOutput(Xenstored.Dom0);
        }
        Flush();
    }
}
