using System.Net.Sockets;
using System.Threading.Channels;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Serve;

/// <summary>
/// One accepted client, with two threads of its own: a reader that decodes its bytes with
/// oxenstored's rules and hands the packets to the daemon loop, and a writer for replies the socket
/// could not take at once. Plain threads blocked in poll(2) wake straight from the kernel, with no
/// thread pool between the client and the daemon loop. Either side ending (end of stream, an error)
/// reports <see cref="Ended"/>; the daemon loop then calls <see cref="Close"/>.
/// </summary>
internal sealed class ClientConnection
{
    private const int ReadBytes = 64 * 1024;
    private const int StackBytes = 256 * 1024;

    private readonly Socket _socket;
    private readonly ChannelWriter<ServerEvent> _events;
    private readonly PacketReader _decoder = new();
    private readonly ManualResetEventSlim _processed = new();
    private readonly TaskCompletionSource _readerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _writerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closed;

    public ClientConnection(Socket socket, ChannelWriter<ServerEvent> events)
    {
        _socket = socket;
        _socket.Blocking = false; // the daemon loop must never block on a client
        _events = events;
        Output = new ConnectionWriter(socket);
    }

    /// <summary>The model's name for it (A1, A2, ...), set by the daemon loop on <see cref="Accepted"/>.</summary>
    public ConnectionId? Id { get; set; }

    /// <summary>Requests processed so far (daemon loop only).</summary>
    public long Requests { get; set; }

    public ConnectionWriter Output { get; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Both threads have ended (after <see cref="Close"/>, or never started).</summary>
    public Task Completion => Task.WhenAll(_readerDone.Task, _writerDone.Task);

    public void Start()
    {
        StartThread("reader", ReadLoop, _readerDone);
        StartThread("writer", WriteLoop, _writerDone);
    }

    /// <summary>The daemon loop has processed the packets of the last <see cref="Received"/>.</summary>
    public void Processed() => _processed.Set();

    /// <summary>Destroys the connection: reads and writes stop, queued output is dropped.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        Output.Close();
        _processed.Set();
        // shutdown(2) wakes a thread blocked in poll(2) on this socket; close alone would not.
        try { _socket.Shutdown(SocketShutdown.Both); }
        catch (SocketException) { }
        _socket.Dispose();
    }

    private void StartThread(string role, Action loop, TaskCompletionSource done)
    {
        var thread = new Thread(() =>
        {
            try { loop(); }
            finally { done.TrySetResult(); }
        }, StackBytes)
        {
            IsBackground = true,
            Name = "xsfuzz serve " + role,
        };
        thread.Start();
    }

    private void ReadLoop()
    {
        var buffer = new byte[ReadBytes];
        string reason;
        Packet? last = null;
        try
        {
            while (true)
            {
                if (!Output.WaitForRoom()) return;
                _socket.Poll(-1, SelectMode.SelectRead);
                if (IsClosed) return;
                var read = _socket.Receive(buffer, SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock) continue;
                if (error != SocketError.Success)
                {
                    reason = "read error: " + new SocketException((int)error).Message;
                    break;
                }
                if (read == 0)
                {
                    var partial = _decoder.HasPartialInput;
                    last = _decoder.Finish();
                    reason = partial && last is null ? "end of stream in the middle of a packet" : "end of stream";
                    break;
                }
                var packets = _decoder.Feed(buffer.AsSpan(0, read));
                if (packets.Count > 0 && !Post(packets)) return;
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            return; // closed under our feet by the daemon loop
        }
        _events.TryWrite(new Ended(this, reason, last));
    }

    private void WriteLoop()
    {
        if (Output.Run() is { } reason && !IsClosed) _events.TryWrite(new Ended(this, reason, null));
    }

    /// <summary>
    /// Hands the packets to the daemon loop and waits until they are processed, so that a client
    /// flooding requests is read at the daemon's pace; false if the connection or the server is gone.
    /// </summary>
    private bool Post(IReadOnlyList<Packet> packets)
    {
        _processed.Reset();
        if (!_events.TryWrite(new Received(this, packets))) return false;
        _processed.Wait();
        return !IsClosed;
    }
}
