using System.Net.Sockets;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Serve;

/// <summary>
/// The model as a xenstore daemon on a Unix stream socket, serving its clients as oxenstored serves
/// the clients of its socket: every accepted connection is a privileged socket connection of one
/// shared model. <see cref="Listen"/> claims the path; <see cref="RunAsync"/> serves until cancelled,
/// then closes every client and removes the socket file.
/// </summary>
public sealed class XenstoreServer(string socketPath, LiveUpdateFault fault, TextWriter log)
{
    private readonly ServeLog _log = new(log);
    private SocketListener? _listener;

    public string SocketPath { get; } = socketPath;

    /// <summary>Binds the socket (replacing a stale one); throws <see cref="ServeException"/> if it cannot.</summary>
    public void Listen()
    {
        if (_listener is not null) throw new InvalidOperationException("already listening");
        _listener = SocketListener.Bind(SocketPath);
        _log.Line($"listening on {SocketPath} (planted fault: {(fault == LiveUpdateFault.None ? "none" : FaultCatalog.NameOf(fault))})");
    }

    public async Task RunAsync(CancellationToken cancel)
    {
        var listener = _listener ?? throw new InvalidOperationException("call Listen first");
        var daemon = new DaemonLoop(fault, _log);
        var clients = new List<ClientConnection>();
        // Stop accepting when asked to, or if the daemon loop dies (a bug here, not in the model).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var daemonTask = daemon.RunAsync(stop.Token);
        var daemonWatch = daemonTask.ContinueWith(_ => stop.Cancel(), TaskScheduler.Default);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await listener.AcceptAsync(stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }
                catch (SocketException e)
                {
                    // Out of descriptors and the like: the clients already served are unaffected.
                    _log.Line($"accept failed: {e.Message}");
                    await Task.Delay(100, stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    continue;
                }
                var client = new ClientConnection(socket, daemon.Events);
                if (!daemon.Events.TryWrite(new Accepted(client)))
                {
                    client.Close();
                    break;
                }
                client.Start();
                clients.RemoveAll(c => c.Completion.IsCompleted);
                clients.Add(client);
            }
        }
        finally
        {
            listener.Dispose();
            stop.Cancel();
            await daemonWatch; // before `stop` is disposed
            await daemonTask;
            await Task.WhenAll(clients.Select(c => c.Completion));
            _log.Line($"stopped; {SocketPath} removed");
        }
    }
}
