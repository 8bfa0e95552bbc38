using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace XsFuzz.RealDaemons.Sandbox;

/// <summary>
/// A daemon started once and stopped at its first poll, whose fork server (scripts/real/forkserver.c,
/// part of the shim) hands out fresh copies: <see cref="Fork"/> costs a fork and a reset of the run
/// folder instead of a start (12-35 ms, more for the traced oxenstored). Every copy starts from the
/// same state (set up, listening, no request served), so runs stay as independent as on fresh daemons.
/// One copy at a time. A server that died or stopped answering is started again at the next fork.
/// </summary>
public sealed class ForkServer : IDisposable
{
    /// <summary>The shim's switch (scripts/real/forkserver.c).</summary>
    public const string Variable = "XSFUZZ_FORKSERVER";

    private readonly SandboxLayout _layout;
    private readonly DaemonKind _kind;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<string, string> _environment;
    private volatile DaemonProcess? _server;
    private Socket? _channel;
    private volatile ForkedDaemon? _child;

    /// <param name="environment">Added to the server's environment (and so every copy's): the coverage map.</param>
    public ForkServer(SandboxLayout layout, DaemonKind kind, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        _layout = layout;
        _kind = kind;
        _timeout = timeout;
        _environment = new Dictionary<string, string>(environment ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [Variable] = "1" };
    }

    /// <summary>How many times the server was started (1 when it never had to be restarted).</summary>
    public int Starts { get; private set; }

    /// <summary>
    /// Starts the server if it is not running, so that its start-up edges reach the coverage map before
    /// the caller clears it, not during a run.
    /// </summary>
    /// <exception cref="SandboxException">It would not start.</exception>
    public void Prepare()
    {
        if (_server is not { IsRunning: true } || _channel is null) StartServer();
    }

    /// <summary>A fresh copy of the daemon, listening on the server's socket.</summary>
    /// <exception cref="SandboxException">The server would not start or fork, twice in a row.</exception>
    public IDaemon Fork()
    {
        _child?.Dispose();
        _child = null;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (_server is not { IsRunning: true } || _channel is null) StartServer();
                Send(_channel!);
                var pid = Receive(_channel!, _timeout) ?? throw new SandboxException($"{_kind.Name()} fork server did not fork: {_server!.OutputTail()}");
                return _child = new ForkedDaemon(this, _kind, _server!.RunFolder, pid, ExitWatch.Of(pid));
            }
            catch (Exception e) when ((e is SandboxException or SocketException) && attempt == 0)
            {
                StopServer();
            }
            catch (SocketException e)
            {
                StopServer();
                throw new SandboxException($"{_kind.Name()} fork server: {e.Message}");
            }
        }
    }

    private void StartServer()
    {
        StopServer();
        Starts++;
        _server = DaemonProcess.Start(_layout, _kind, _timeout, environment: _environment);
        var path = Path.Combine(_server.RunFolder, "forkserver");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (!_server.IsRunning) throw new SandboxException($"{_kind.Name()} fork server exited at start: {_server.OutputTail()}");
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(path));
                if (Receive(socket, _timeout) != 0) throw new SandboxException($"{_kind.Name()} fork server: no ready word");
                _channel = socket;
                return;
            }
            catch (SocketException) when (clock.Elapsed < _timeout)
            {
                socket.Dispose();
                Thread.Sleep(5);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private void StopServer()
    {
        _channel?.Dispose();
        _channel = null;
        _server?.Dispose();
        _server = null;
    }

    private static void Send(Socket socket) => socket.Send(new byte[4]);

    /// <summary>The next 4-byte word, or null when none came within <paramref name="wait"/>.</summary>
    private static int? Receive(Socket socket, TimeSpan wait)
    {
        var word = new byte[4];
        var got = 0;
        var clock = Stopwatch.StartNew();
        while (got < 4)
        {
            var left = wait - clock.Elapsed;
            if (left < TimeSpan.Zero) left = TimeSpan.Zero;
            if (!socket.Poll(left, SelectMode.SelectRead)) return null;
            var n = socket.Receive(word, got, 4 - got, SocketFlags.None);
            if (n == 0) throw new SandboxException("the fork server closed its socket");
            got += n;
        }
        return BitConverter.ToInt32(word);
    }

    /// <summary>The copy's wait status once the server reaped it, within <paramref name="wait"/>; null otherwise.</summary>
    internal int? Status(TimeSpan wait)
    {
        if (_channel is null) return null;
        try
        {
            return Receive(_channel, wait);
        }
        catch (Exception e) when (e is SandboxException or SocketException or ObjectDisposedException)
        {
            StopServer();
            return null;
        }
    }

    /// <summary>
    /// Kills the current copy and the server, from any thread (<see cref="Running.RunBudget"/>):
    /// whatever the caller waits for then ends at once, a copy's answer or a fork the server does not
    /// make (a server that hangs too). The server is started again at the next <see cref="Prepare"/>.
    /// </summary>
    public void Abort()
    {
        _child?.Exit.Kill();
        _server?.Exit.Kill();
    }

    /// <summary>A copy that would not die (or whose status never came): the server is started again.</summary>
    internal void Broken() => StopServer();

    public void Dispose()
    {
        _child?.Dispose();
        _child = null;
        StopServer();
    }
}

/// <summary>One copy of a <see cref="ForkServer"/>'s daemon. Disposing kills it; the folder stays the server's.</summary>
public sealed class ForkedDaemon : IDaemon
{
    private readonly ForkServer _server;
    private int? _status;
    private bool _disposed;

    internal ForkedDaemon(ForkServer server, DaemonKind kind, string runFolder, int pid, ExitWatch exit)
    {
        _server = server;
        Kind = kind;
        RunFolder = runFolder;
        Pid = pid;
        Exit = exit;
    }

    public DaemonKind Kind { get; }
    public string RunFolder { get; }
    public string SocketPath => Path.Combine(RunFolder, "socket");
    public int Pid { get; }
    public ExitWatch Exit { get; }

    public bool IsRunning => !_disposed && !Exit.Exited;

    private int? Status(TimeSpan wait) => _status ??= _server.Status(wait);

    /// <summary>
    /// Once the <see cref="Exit"/> watch has seen the copy exit, its status is waited for beyond the
    /// grace: the server writes it as soon as it has reaped the copy, which on a loaded machine can take
    /// longer than a short grace, and a death must not read as a live daemon.
    /// </summary>
    public string? DeathNote(TimeSpan grace)
    {
        if (_disposed) return "gone";
        if (!Exit.Wait(grace)) return null;
        if (Status(DaemonProcess.ReapWait) is not { } status) return DaemonProcess.NoteOf(RunFolder, "exited (no status from the fork server)");
        var signal = status & 0x7f;
        return DaemonProcess.NoteOf(RunFolder, signal == 0 ? $"exit status {(status >> 8) & 0xff}" : $"killed by signal {signal}");
    }

    public string OutputTail(int lines = 15) => DaemonProcess.TailOf(RunFolder, lines);

    public void Dispose()
    {
        if (_disposed) return;
        if (Status(TimeSpan.Zero) is null)
        {
            _ = Kill(Pid, 9);
            if (Status(TimeSpan.FromSeconds(5)) is null) _server.Broken();
        }
        Exit.Dispose();
        _disposed = true;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
