using System.Net.Sockets;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Serve;

/// <summary>
/// The whole server on one thread, like oxenstored's main loop: wait for the sockets that are ready
/// (<see cref="Epoll"/>), then accept, read, process and write. A client's requests are read only while
/// the model would read them (<see cref="Xenstored.CanInput"/>: room for a reply, no watch event of its
/// own held back), and its output is taken from the model one packet at a time as its socket takes
/// bytes, so the model's queues, bounded by oxenstored's limits, are all the buffering there is.
/// <para>
/// A round costs what happened in it, not how many clients are connected: only clients whose socket
/// was ready, whose requests wait, or whom the model may have changed are looked at (see
/// <see cref="Settle"/>), and nothing is allocated per connected client. An idle connection costs its
/// socket, a <see cref="Client"/> and the model's connection. Failing to accept or to allocate for one
/// client drops that client with a log line; the loop goes on.
/// </para>
/// </summary>
internal sealed class EventLoop(SocketListener listener, LiveUpdateFault fault, ServeLog log, XenstoredConfig config)
{
    private const int ReadBytes = 16 * 1024;
    private const int AcceptsPerRound = 64;
    private const int ReadyPerWait = 256;
    private const int IdleWaitMs = 100; // how soon a stop request (or the end of an accept pause) is noticed
    private const int AcceptPauseMs = 1000;
    private const int SettlePasses = 8;
    private const ulong ListenerToken = 0;
    private static readonly byte[] ControlAbort = Latin1.NulTerminated("live-update", "-a");

    private readonly byte[] _buffer = new byte[ReadBytes];
    private readonly Dictionary<ulong, Client> _clients = [];
    /// <summary>Clients with requests read and not processed, in the order they were read.</summary>
    private readonly List<Client> _pending = [];
    /// <summary>Clients to write to and re-register before the next wait (each once: <see cref="Client.SettleGeneration"/>).</summary>
    private readonly List<Client> _settle = [];
    /// <summary>
    /// Clients that another client's request can change while their own socket is quiet: watchers
    /// (events), and clients registered for anything but plain reading (blocked by a full queue, or
    /// with output waiting). An idle client is never here.
    /// </summary>
    private readonly HashSet<Client> _restless = [];
    private readonly Epoll _epoll = new(ReadyPerWait);
    private Xenstored _daemon = new(config);
    private ulong _nextToken = ListenerToken + 1;
    private long _settleGeneration;
    private bool _modelChanged;
    private bool _settleEveryone;
    private bool _listening;
    private long _acceptPausedUntil;
    private int _liveUpdates;

    public void Run(CancellationToken cancel)
    {
        try
        {
            _epoll.Register(ListenerFd, Epoll.In, ListenerToken);
            _listening = true;
            while (!cancel.IsCancellationRequested) Round();
        }
        finally
        {
            foreach (var client in _clients.Values.ToList()) End(client, "server stopping");
            _epoll.Dispose();
        }
    }

    private int ListenerFd => (int)listener.Socket.Handle;

    private void Round()
    {
        ProcessPending();
        var busy = Settle();
        // Requests the model would read now (writing in Settle can make room for their replies) go at once.
        busy |= AnyPendingReadable();
        ResumeAccepting();
        var ready = _epoll.Wait(busy ? 0 : IdleWaitMs);
        for (var i = 0; i < ready; i++)
        {
            var token = _epoll.TokenAt(i);
            var events = _epoll.EventsAt(i);
            if (token == ListenerToken)
            {
                AcceptSome();
                continue;
            }
            // A client ended earlier in this batch is gone from the table; tokens are never reused.
            if (!_clients.TryGetValue(token, out var client)) continue;
            Guard(client, () =>
            {
                if ((events & Epoll.In) != 0) Read(client);
                else if ((events & (Epoll.HangUp | Epoll.Error)) != 0) End(client, "hang-up");
                if ((events & Epoll.Out) != 0 && !client.Ended) Write(client);
            });
            Enlist(client);
        }
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
                PauseAccepting();
                return;
            }
            Admit(socket);
        }
    }

    private void Admit(Socket socket)
    {
        var registered = false;
        try
        {
            socket.Blocking = false;
            var token = _nextToken++;
            _epoll.Register((int)socket.Handle, Epoll.In, token);
            registered = true;
            var client = new Client(socket, _daemon.OpenSocket(), token) { Interest = Epoll.In };
            _clients.Add(token, client);
            log.Line($"{client.Id} connected");
        }
        catch (Exception e) when (e is OutOfMemoryException or SocketException or ObjectDisposedException or IOException)
        {
            log.Line($"dropped a new client: {e.GetType().Name}: {e.Message}");
            if (registered) TryUnregister((int)socket.Handle);
            socket.Dispose();
        }
    }

    /// <summary>The listener stays readable while accept fails, so it leaves the wait set for a while.</summary>
    private void PauseAccepting()
    {
        _acceptPausedUntil = Environment.TickCount64 + AcceptPauseMs;
        if (!_listening) return;
        _epoll.Change(ListenerFd, 0, ListenerToken);
        _listening = false;
    }

    private void ResumeAccepting()
    {
        if (_listening || Environment.TickCount64 < _acceptPausedUntil) return;
        _epoll.Change(ListenerFd, Epoll.In, ListenerToken);
        _listening = true;
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
        var waiting = client.Pending.Count > 0;
        foreach (var packet in client.Decoder.Feed(_buffer.AsSpan(0, read))) client.Pending.Enqueue(packet);
        if (!waiting && client.Pending.Count > 0) _pending.Add(client);
    }

    /// <summary>Processes what clients sent, each only while the model would read it.</summary>
    private void ProcessPending()
    {
        if (_pending.Count == 0) return;
        foreach (var client in _pending)
        {
            if (client.Ended) continue;
            Guard(client, () =>
            {
                while (client.Pending.Count > 0 && !client.Ended && _daemon.CanInput(client.Id))
                    Process(client, client.Pending.Dequeue());
            });
            Enlist(client);
        }
        _pending.RemoveAll(client => client.Ended || client.Pending.Count == 0);
    }

    private bool AnyPendingReadable()
    {
        foreach (var client in _pending)
            if (!client.Ended && client.Pending.Count > 0 && _daemon.CanInput(client.Id)) return true;
        return false;
    }

    private void Process(Client client, Packet request)
    {
        client.Requests++;
        if (request.Type == (uint)Op.Watch) client.Watches = true;
        _modelChanged = true;
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

    /// <summary>
    /// Before each wait: writes what each enlisted client's socket takes and registers it for what it
    /// waits for now (reading if the model would read it, writing if output waits). Whenever the model
    /// changed, the restless clients are enlisted too: a request, or output taken, can queue events
    /// for watchers or let a blocked writer go on. Writing changes the model in turn, so this repeats
    /// until it stops changing (a few passes; what is left is for the next round). True if it did not
    /// settle.
    /// </summary>
    private bool Settle()
    {
        for (var pass = 0; pass < SettlePasses; pass++)
        {
            if (_settleEveryone)
            {
                foreach (var client in _clients.Values) Enlist(client);
                _settleEveryone = false;
            }
            else if (_modelChanged)
            {
                foreach (var client in _restless) Enlist(client);
            }
            _modelChanged = false;
            if (_settle.Count == 0) return false;
            foreach (var client in _settle)
            {
                if (client.Ended) continue;
                Guard(client, () =>
                {
                    if (client.Partial is not null || _daemon.PendingOutput(client.Id) > 0) Write(client);
                    if (!client.Ended) Register(client);
                });
            }
            _settle.Clear();
            _settleGeneration++; // the next pass enlists anew
        }
        return _modelChanged || _settleEveryone;
    }

    private void Enlist(Client client)
    {
        if (client.SettleGeneration == _settleGeneration || client.Ended) return;
        client.SettleGeneration = _settleGeneration;
        _settle.Add(client);
    }

    /// <summary>Registers the socket for what the client waits for now, and files it as restless or not.</summary>
    private void Register(Client client)
    {
        uint events = 0;
        if (client.Pending.Count == 0 && _daemon.CanInput(client.Id)) events |= Epoll.In;
        if (client.Partial is not null || _daemon.PendingOutput(client.Id) > 0) events |= Epoll.Out;
        if (events != client.Interest)
        {
            _epoll.Change(client.Fd, events, client.Token);
            client.Interest = events;
        }
        if (client.Watches || events != Epoll.In) _restless.Add(client);
        else _restless.Remove(client);
    }

    /// <summary>Packet by packet, as oxenstored writes: the model's queue shrinks only as the socket takes bytes.</summary>
    private void Write(Client client)
    {
        while (true)
        {
            if (client.Partial is null)
            {
                if (_daemon.TakeOne(client.Id) is not { } packet) return;
                _modelChanged = true; // taking output can pass this client's held-back events on to watchers
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
        catch (Exception e) when (e is OutOfMemoryException or SocketException or ObjectDisposedException or IOException)
        {
            log.Line($"{client.Id}: {e.GetType().Name}: {e.Message}; dropping the connection");
            End(client, "dropped");
        }
    }

    private void End(Client client, string reason)
    {
        if (client.Ended) return;
        client.Ended = true;
        _clients.Remove(client.Token);
        _restless.Remove(client);
        TryUnregister(client.Fd);
        _daemon.CloseConnection(client.Id);
        _modelChanged = true;
        client.Socket.Dispose();
        log.Line($"{client.Id} disconnected ({reason}; {client.Requests} {(client.Requests == 1 ? "request" : "requests")})");
    }

    /// <summary>Closing the socket unregisters it anyway; this only makes it explicit.</summary>
    private void TryUnregister(int fd)
    {
        try
        {
            _epoll.Unregister(fd);
        }
        catch (IOException)
        {
            // Never registered, or already gone: closing is all that is left.
        }
    }

    /// <summary>
    /// A CONTROL <c>live-update -s</c> was queued (and answered BUSY): dump and restore the whole
    /// state, like oxenstored's re-exec, so that the next <c>-s</c> answers OK. Every client is
    /// looked at again afterwards: the model is a new one.
    /// </summary>
    private void RunLiveUpdate()
    {
        var number = ++_liveUpdates;
        _settleEveryone = true;
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
