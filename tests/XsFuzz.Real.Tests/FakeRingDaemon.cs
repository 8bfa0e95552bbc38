using System.Buffers.Binary;
using System.Net.Sockets;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>
/// The daemon's side of one domain's ring, in-process, over a temp folder laid out as the sandbox's
/// stubs lay out a run folder (domu/&lt;domid&gt;.ring and .port, evtchn, ev&lt;port&gt;): a thread that
/// answers every complete request with an echo (same header, payload prefixed "re:"), unless
/// <see cref="Stalled"/>. <see cref="Restart"/> stands for a live update: the serving thread stops and a
/// new one starts on the same event socket and ring with no memory of the old one, so whatever the old
/// one had not consumed is still in req[].
/// </summary>
internal sealed class FakeRingDaemon : IDisposable
{
    private readonly Socket _events;
    private readonly RingPage _page;
    private readonly Lock _gate = new();
    private readonly List<Packet> _received = [];
    private Thread? _thread;
    private volatile bool _stop;
    private volatile bool _stalled;

    public FakeRingDaemon(string runFolder, uint domid, uint port)
    {
        RunFolder = runFolder;
        _domid = domid;
        _port = port;
        Directory.CreateDirectory(Path.Combine(runFolder, "domu"));
        _page = RingPage.Open(RingConnection.RingPath(runFolder, domid));
        File.WriteAllText(RingConnection.PortPath(runFolder, domid), port + "\n");
        _events = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _events.Bind(new UnixDomainSocketEndPoint(EventChannel.DaemonPath(runFolder)));
        _events.Blocking = false;       // as the stubs' MSG_DONTWAIT: a daemon never blocks on a client
        Start();
    }

    private readonly uint _domid;
    private volatile uint _port;

    public string RunFolder { get; }
    public uint Port => _port;

    /// <summary>The domain is introduced again: its channel gets another local port.</summary>
    public void Rebind(uint port)
    {
        _port = port;
        File.WriteAllText(RingConnection.PortPath(RunFolder, _domid), port + "\n");
    }

    /// <summary>The domain is released: its port is unbound.</summary>
    public void Unbind()
    {
        _port = 0;
        File.Delete(RingConnection.PortPath(RunFolder, _domid));
    }
    public RingPage Page => _page;

    /// <summary>Kicks received on other ports (a client must kick its own domain's port).</summary>
    public int ForeignKicks { get; private set; }

    /// <summary>While stalled the daemon reads nothing from req[] (as with no IO credit, or mid-exec).</summary>
    public bool Stalled
    {
        get => _stalled;
        set { _stalled = value; if (!value) Notify(); }
    }

    /// <summary>The requests served so far, in order.</summary>
    public List<Packet> Received
    {
        get { lock (_gate) return [.. _received]; }
    }

    /// <summary>Writes a packet into rsp[] unasked (a watch event) and notifies.</summary>
    public void Push(Packet packet)
    {
        lock (_gate) _out.AddRange(packet.ToBytes());
        Notify();
    }

    /// <summary>A live update: a new serving thread with fresh state on the same ring and event socket.</summary>
    public void Restart()
    {
        StopThread();
        lock (_gate) { _in.Clear(); }
        Start();
    }

    public void Dispose()
    {
        StopThread();
        _events.Dispose();
        _page.Dispose();
    }

    private readonly List<byte> _in = [];
    private readonly List<byte> _out = [];

    private void Start()
    {
        _stop = false;
        _thread = new Thread(Serve) { IsBackground = true };
        _thread.Start();
    }

    private void StopThread()
    {
        _stop = true;
        _thread?.Join();
        _thread = null;
    }

    private void Notify()
    {
        // Waking the own thread is enough: it writes rsp[] and notifies the client.
        try { _events.SendTo(BitConverter.GetBytes(0u), new UnixDomainSocketEndPoint(EventChannel.DaemonPath(RunFolder))); }
        catch (SocketException) { }
    }

    private void Serve()
    {
        var chunk = new byte[RingPage.RingSize];
        var kick = new byte[16];
        while (!_stop)
        {
            if (_events.Poll(20_000, SelectMode.SelectRead))
            {
                while (_events.Available > 0)
                {
                    var n = _events.Receive(kick);
                    var port = n == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(kick) : 0;
                    if (port != 0 && port != Port) ForeignKicks++;
                }
            }
            var moved = false;
            lock (_gate)
            {
                if (!_stalled)
                {
                    int n;
                    while ((n = _page.Requests.Consume(chunk)) > 0)
                    {
                        _in.AddRange(chunk.AsSpan(0, n).ToArray());
                        moved = true;
                    }
                    Answer();
                }
                if (_out.Count > 0)
                {
                    var written = _page.Responses.Produce(_out.ToArray());
                    _out.RemoveRange(0, written);
                    moved |= written > 0;
                }
            }
            if (moved) NotifyClient();
        }
    }

    private void Answer()
    {
        while (_in.Count >= Packet.HeaderSize)
        {
            var header = _in.GetRange(0, Packet.HeaderSize).ToArray();
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
            if (_in.Count < Packet.HeaderSize + length) return;
            var payload = _in.GetRange(Packet.HeaderSize, length).ToArray();
            _in.RemoveRange(0, Packet.HeaderSize + length);
            var request = new Packet(BinaryPrimitives.ReadUInt32LittleEndian(header), BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)),
                BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)), payload);
            _received.Add(request);
            _out.AddRange(new Packet(request.Type, request.RequestId, request.TxId, [.. "re:"u8, .. payload]).ToBytes());
        }
    }

    private void NotifyClient()
    {
        try { _events.SendTo(BitConverter.GetBytes(Port), new UnixDomainSocketEndPoint(EventChannel.ClientPath(RunFolder, Port))); }
        catch (SocketException) { }     // no client listening: it reads the ring when it looks
    }
}
