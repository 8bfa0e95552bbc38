using XsFuzz.Serve;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Serve.Tests.Support;

/// <summary>
/// The server of `xsfuzz serve` running in the test process on a fresh socket in its own temporary
/// folder (Unix socket paths are limited to 107 bytes, so a short one under /tmp).
/// </summary>
public sealed class ServedModel : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private ServedModel(string folder, XenstoreServer server, LogCapture log)
    {
        Folder = folder;
        Log = log;
        SocketPath = server.SocketPath;
        _run = Task.Run(() => server.RunAsync(_stop.Token));
    }

    public string Folder { get; }
    public string SocketPath { get; }
    public LogCapture Log { get; }

    public static ServedModel Start(LiveUpdateFault fault = LiveUpdateFault.None)
    {
        var folder = TempFolder.Create();
        var log = new LogCapture();
        var server = new XenstoreServer(Path.Combine(folder, "socket"), fault, log);
        server.Listen();
        return new ServedModel(folder, server, log);
    }

    public WireClient Connect() => WireClient.Connect(SocketPath);

    /// <summary>Stops the server (as Ctrl-C does) and waits for it; fails if it does not stop.</summary>
    public void Stop()
    {
        _stop.Cancel();
        if (!_run.Wait(TimeSpan.FromSeconds(10))) throw new TimeoutException("the server did not stop within 10 s");
    }

    public bool IsRunning => !_run.IsCompleted;

    public void Dispose()
    {
        try
        {
            if (!_run.IsCompleted) Stop();
            _run.GetAwaiter().GetResult(); // surfaces a crash of the server itself
        }
        finally
        {
            _stop.Dispose();
            TempFolder.Delete(Folder);
        }
    }
}

public static class TempFolder
{
    public static string Create()
    {
        var folder = Path.Combine("/tmp", "xsfuzz-serve-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void Delete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
    }
}
