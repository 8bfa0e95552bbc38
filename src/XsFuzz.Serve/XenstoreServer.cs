using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Serve;

/// <summary>
/// The model as a xenstore daemon on a Unix stream socket, serving its clients as oxenstored serves
/// the clients of its socket: every accepted connection is a privileged socket connection (dom0) of
/// one shared model. <see cref="Listen"/> locks and claims the path; <see cref="RunAsync"/> serves on
/// one thread of its own until cancelled, then closes every client and removes the socket it bound.
/// </summary>
public sealed class XenstoreServer(string socketPath, LiveUpdateFault fault, TextWriter log, UnixFileMode? mode = null,
    Xenstore.NamedConfig? config = null)
{
    private readonly Xenstore.NamedConfig _config = config ?? Xenstore.ConfigVariants.Debian;
    private readonly ServeLog _log = new(log);
    private SocketListener? _listener;

    public string SocketPath { get; } = socketPath;

    // Named only when it is not Debian's (the default), so the usual line stays as it was.
    private string ConfigText => _config == Xenstore.ConfigVariants.Debian ? "" : $"config {_config.Name}; ";

    /// <summary>Locks the path, binds the socket (replacing a stale one); throws <see cref="ServeException"/> if it cannot.</summary>
    public void Listen()
    {
        if (_listener is not null) throw new InvalidOperationException("already listening");
        _listener = SocketListener.Bind(SocketPath, mode);
        var modeText = mode is { } m ? Convert.ToString((int)m, 8).PadLeft(4, '0') : "from the umask";
        _log.Line($"listening on {SocketPath} (mode {modeText}; every client is dom0; {ConfigText}planted fault: {(fault == LiveUpdateFault.None ? "none" : FaultCatalog.NameOf(fault))})");
    }

    public Task RunAsync(CancellationToken cancel)
    {
        var listener = _listener ?? throw new InvalidOperationException("call Listen first");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                new EventLoop(listener, fault, _log, _config.Config).Run(cancel);
                listener.Dispose();
                _log.Line($"stopped; {SocketPath} removed");
                done.SetResult();
            }
            catch (Exception e)
            {
                listener.Dispose();
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "xsfuzz serve event loop",
        };
        thread.Start();
        return done.Task;
    }
}
