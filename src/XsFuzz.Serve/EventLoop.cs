using System.Net.Sockets;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Serve;

/// <summary>
/// The whole server on one thread, like oxenstored's main loop: poll(2) over the listening socket and
/// every client's non-blocking socket, then accept, read, process and write what is ready. A client's
/// requests are read only while the model would read them (<see cref="Xenstored.CanInput"/>: room for
/// a reply, no watch event of its own held back), and its output is taken from the model one packet
/// at a time as its socket takes bytes, so the model's queues, bounded by oxenstored's limits, are all
/// the buffering there is. Failing to accept or to allocate for one client drops that client with a
/// log line; the loop goes on.
/// </summary>
internal sealed class EventLoop(SocketListener listener, LiveUpdateFault fault, ServeLog log, XenstoredConfig config)
{
    private const int ReadBytes = 16 * 1024;
    private const int AcceptsPerRound = 64;
    private const int IdleWaitMs = 100; // how soon a stop request is noticed
    private const int AcceptPauseMs = 1000;
    private static readonly byte[] ControlAbort = Latin1.NulTerminated("live-update", "-a");

    private readonly byte[] _buffer = new byte[ReadBytes];
    private readonly List<Client> _clients = [];
    private PollFd[] _fds = new PollFd[64];
    private Xenstored _daemon = new(config);
    private long _acceptPausedUntil;
    private int _liveUpdates;

    public void Run(CancellationToken cancel)
    {
        try
        {
            while (!cancel.IsCancellationRequested) Round();
        }
        finally
        {
            foreach (var client in _clients.ToList()) End(client, "server stopping");
        }
    }

    private void Round()
    {
        var busy = ProcessPending();
        WriteAll();
        var count = BuildPollSet(out var listening);
        if (!Poll.Wait(_fds, count, busy ? 0 : IdleWaitMs)) return;
        if (listening && (_fds[0].Returned & PollFd.In) != 0) AcceptSome();
        // Entries 1.. are the clients as they were when the set was built; ended ones are skipped.
        var polled = _clients.GetRange(0, count - 1);
        for (var i = 0; i < polled.Count; i++)
        {
            var client = polled[i];
            var returned = _fds[i + 1].Returned;
            if (returned == 0 || client.Ended) continue;
            Guard(client, () =>
            {
                if ((returned & PollFd.In) != 0) Read(client);
                else if ((returned & (PollFd.HangUp | PollFd.Error | PollFd.Invalid)) != 0) End(client, "hang-up");
                if ((returned & PollFd.Out) != 0 && !client.Ended) Write(client);
            });
        }
    }

    /// <summary>The listener first (unless accepting is paused), then each client: readable if the model would read it, writable if output waits.</summary>
    private int BuildPollSet(out bool listening)
    {
        if (_fds.Length < _clients.Count + 1) _fds = new PollFd[Math.Max(_fds.Length * 2, _clients.Count + 1)];
        listening = Environment.TickCount64 >= _acceptPausedUntil;
        _fds[0] = new PollFd { Fd = listening ? (int)listener.Socket.Handle : -1, Events = PollFd.In };
        for (var i = 0; i < _clients.Count; i++)
        {
            var client = _clients[i];
            short events = 0;
            if (client.Pending.Count == 0 && _daemon.CanInput(client.Id)) events |= PollFd.In;
            if (client.Partial is not null || _daemon.PendingOutput(client.Id) > 0) events |= PollFd.Out;
            _fds[i + 1] = new PollFd { Fd = client.Fd, Events = events };
        }
        return _clients.Count + 1;
    }

    private void AcceptSome()
    {
        for (var n = 0; n < AcceptsPerRound; n++)
        {
            Socket socket;
            try
            {
                socket = listener.Socket.Accept();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of descriptors or memory: the pending client waits in the backlog; nobody else is affected.
                log.Line($"accept failed: {e.Message} ({_clients.Count} clients); accepting again in {AcceptPauseMs} ms");
                _acceptPausedUntil = Environment.TickCount64 + AcceptPauseMs;
                return;
            }
            try
            {
                socket.Blocking = false;
                var client = new Client(socket, _daemon.OpenSocket());
                _clients.Add(client);
                log.Line($"{client.Id} connected");
            }
            catch (Exception e) when (e is OutOfMemoryException or SocketException or ObjectDisposedException)
            {
                log.Line($"dropped a new client: {e.GetType().Name}: {e.Message}");
                socket.Dispose();
            }
        }
    }

    /// <summary>One read, decoded; the requests wait in <see cref="Client.Pending"/> for the model.</summary>
    private void Read(Client client)
    {
        var read = client.Socket.Receive(_buffer, 0, _buffer.Length, SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock) return;
        if (error != SocketError.Success)
        {
            End(client, "read error: " + new SocketException((int)error).Message);
            return;
        }
        if (read == 0)
        {
            var partial = client.Decoder.HasPartialInput;
            // A zero-length packet only the end of stream released: oxenstored processes it, then meets
            // the end of stream before writing, so its reply is never sent.
            if (client.Decoder.Finish() is { } last) Process(client, last);
            End(client, partial ? "end of stream in the middle of a packet" : "end of stream");
            return;
        }
        foreach (var packet in client.Decoder.Feed(_buffer.AsSpan(0, read))) client.Pending.Enqueue(packet);
    }

    /// <summary>Processes what clients sent, each only while the model would read it; true if more is ready at once.</summary>
    private bool ProcessPending()
    {
        var more = false;
        foreach (var client in _clients.ToList())
        {
            if (client.Pending.Count == 0 || client.Ended) continue;
            Guard(client, () =>
            {
                while (client.Pending.Count > 0 && !client.Ended && _daemon.CanInput(client.Id))
                    Process(client, client.Pending.Dequeue());
            });
            more |= !client.Ended && client.Pending.Count > 0 && _daemon.CanInput(client.Id);
        }
        return more;
    }

    private void Process(Client client, Packet request)
    {
        client.Requests++;
        try
        {
            _daemon.Handle(client.Id, request);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug in the model: the connection's state is no longer trusted, so it goes; the others stay.
            log.Line($"{client.Id}: the model threw on {request}: {e.GetType().Name}: {e.Message}");
            End(client, "model error");
            return;
        }
        if (_daemon.LiveUpdatePending) RunLiveUpdate();
    }

    /// <summary>Writes to every client with output whatever its socket takes now.</summary>
    private void WriteAll()
    {
        foreach (var client in _clients.ToList())
        {
            if (client.Ended || (client.Partial is null && _daemon.PendingOutput(client.Id) == 0)) continue;
            Guard(client, () => Write(client));
        }
    }

    /// <summary>Packet by packet, as oxenstored writes: the model's queue shrinks only as the socket takes bytes.</summary>
    private void Write(Client client)
    {
        while (true)
        {
            if (client.Partial is null)
            {
                if (_daemon.TakeOne(client.Id) is not { } packet) return;
                client.Partial = packet.ToBytes();
                client.PartialOffset = 0;
            }
            var sent = client.Socket.Send(client.Partial, client.PartialOffset, client.Partial.Length - client.PartialOffset, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock) return;
            if (error != SocketError.Success)
            {
                End(client, "write error: " + new SocketException((int)error).Message);
                return;
            }
            client.PartialOffset += sent;
            if (client.PartialOffset < client.Partial.Length) return;
            client.Partial = null;
        }
    }

    /// <summary>One client's trouble (even running out of memory) ends that client, not the server.</summary>
    private void Guard(Client client, Action work)
    {
        try
        {
            work();
        }
        catch (Exception e) when (e is OutOfMemoryException or SocketException or ObjectDisposedException)
        {
            log.Line($"{client.Id}: {e.GetType().Name}: {e.Message}; dropping the connection");
            End(client, "dropped");
        }
    }

    private void End(Client client, string reason)
    {
        if (client.Ended) return;
        client.Ended = true;
        _clients.Remove(client);
        _daemon.CloseConnection(client.Id);
        client.Socket.Dispose();
        log.Line($"{client.Id} disconnected ({reason}; {client.Requests} {(client.Requests == 1 ? "request" : "requests")})");
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
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A model bug: keep serving the old state and drop the queued update (CONTROL live-update -a),
            // or every later request would try again.
            log.Line($"live update {number} failed, update abandoned: {e.GetType().Name}: {e.Message}");
            _daemon.Handle(Xenstored.Dom0, new Packet((uint)Op.Control, 0, 0, ControlAbort));
            _daemon.TakeOutput(Xenstored.Dom0);
        }
    }
}
