using XsFuzz.Harness.Running;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Wire;

/// <summary>
/// A client connection to a daemon as domain <see cref="DomainId"/>, over that domain's ring page and
/// event channel in the daemon's run folder (scripts/real/ring.h): what a guest's xenbus driver does.
/// Same use as <see cref="DaemonConnection"/>: <see cref="Send"/> then <see cref="ReadUntil"/>. One
/// thread uses it at a time.
/// <para>
/// Bytes that do not fit in req[] stay queued here, as a socket's send buffer would hold them, and are
/// written as the daemon frees space (it notifies after consuming), while sending and while reading.
/// Every write and every consumed reply is followed by a kick of the domain's port: oxenstored serves
/// a domain only after a kick on its port, and both daemons wait for one before writing into space a
/// reader freed. The daemon is found by the port it published for the domain; the connection follows
/// a new port (a second INTRODUCE) and ends (<see cref="Ending.Closed"/>) when the port is unbound
/// (RELEASE).
/// </para>
/// <para>
/// A page has no end that closes when the daemon dies, as a socket has: given the daemon's
/// <see cref="ExitWatch"/>, every wait also ends when the daemon exits, and the connection then reads
/// what is left in rsp[] and ends as a socket would (<see cref="Ending.Closed"/>), at once, instead of
/// after the caller's timeout.
/// </para>
/// </summary>
public sealed class RingConnection : IClientConnection, IDisposable
{
    private readonly string _runFolder;
    private readonly RingPage _page;
    private readonly ReplyDecoder _decoder = new();
    private readonly Queue<byte[]> _pending = new();
    private readonly byte[] _chunk = new byte[RingPage.RingSize];
    private readonly ExitWatch? _daemon;
    private readonly IdleGate? _idle;
    private int _pendingOffset;
    private EventChannel? _channel;

    private RingConnection(string runFolder, uint domid, RingPage page, EventChannel channel, ExitWatch? daemon, IdleGate? idle)
    {
        _runFolder = runFolder;
        DomainId = domid;
        _page = page;
        _channel = channel;
        _daemon = daemon;
        _idle = idle;
    }

    public uint DomainId { get; }

    /// <summary>The daemon's local port for this domain (it changes when the domain is introduced again).</summary>
    public uint Port => _channel?.Port ?? 0;

    /// <summary>The domain was released (its port unbound), the daemon died, or the connection was disposed.</summary>
    public bool Closed => _channel is null;

    /// <summary>Request bytes waiting for space in req[].</summary>
    public int PendingBytes => _pending.Sum(b => b.Length) - _pendingOffset;

    /// <summary>How long <see cref="Send"/> waits for space when req[] is full before leaving the rest queued.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The shared page: tests look at its indexes.</summary>
    public RingPage Page => _page;

    public static string RingPath(string runFolder, uint domid) => Path.Combine(runFolder, "domu", Name(domid) + ".ring");
    public static string PortPath(string runFolder, uint domid) => Path.Combine(runFolder, "domu", Name(domid) + ".port");

    /// <summary>
    /// Connects as <paramref name="domid"/> to the daemon of <paramref name="runFolder"/>, waiting up to
    /// <paramref name="timeout"/> for the daemon to have bound the domain's port (after INTRODUCE).
    /// </summary>
    /// <exception cref="TimeoutException">The domain has no port: it was not introduced.</exception>
    /// <param name="pagePath">The ring page, if not domu/&lt;domid&gt;.ring (dom0's is the daemon's xsd_kva).</param>
    /// <param name="daemon">The daemon's exit: its death ends waits at once (see above).</param>
    /// <param name="idle">If given, the ring wakes the daemon only when it is idle (stores to the page and kicks).</param>
    public static RingConnection Open(string runFolder, uint domid, TimeSpan timeout, string? pagePath = null, ExitWatch? daemon = null,
        IdleGate? idle = null)
    {
        var clock = Stopwatch.StartNew();
        uint? port;
        while ((port = ReadPort(runFolder, domid)) is null)
        {
            if (daemon is { Exited: true }) throw new TimeoutException($"domain {domid}: the daemon exited without binding its event channel");
            if (clock.Elapsed > timeout) throw new TimeoutException($"domain {domid} has no event channel in {runFolder} (not introduced?)");
            Thread.Sleep(5);
        }
        Directory.CreateDirectory(Path.Combine(runFolder, "domu"));
        var page = RingPage.Open(pagePath ?? RingPath(runFolder, domid));
        try
        {
            return new RingConnection(runFolder, domid, page, new EventChannel(runFolder, port.Value), daemon, idle);
        }
        catch
        {
            page.Dispose();
            throw;
        }
    }

    /// <summary>Writes the packets (a request and its sync point go in together) and kicks the daemon.</summary>
    public void Send(params Packet[] packets) => SendBytes(packets.SelectMany(p => p.ToBytes()).ToArray());

    /// <summary>
    /// Writes raw bytes: possibly part of a packet, finished by a later call (a request in flight).
    /// Waits up to <see cref="SendTimeout"/> while req[] is full; what is left then stays queued.
    /// </summary>
    public void SendBytes(byte[] bytes)
    {
        Follow();
        if (Closed || bytes.Length == 0) return;
        _pending.Enqueue(bytes);
        var deadline = Deadline(_deaf ? DeafWait : SendTimeout);
        while (!Closed && Push() && PendingBytes > 0)
        {
            if (Left(deadline) <= TimeSpan.Zero || _channel is null || !WaitOrClose(deadline)) return;
            Follow();
        }
    }

    /// <summary>
    /// Waits until the daemon has taken every request byte written so far out of req[] (it notifies after
    /// reading), so that bytes of an unfinished request are in the daemon's own input buffer, not in the
    /// page. False when that did not happen within <paramref name="timeout"/> (or the ring closed).
    /// </summary>
    public bool WaitConsumed(TimeSpan timeout)
    {
        var deadline = Deadline(_deaf && timeout > DeafWait ? DeafWait : timeout);
        var quiet = false;
        while (true)
        {
            if (!Push()) return false;
            if (PendingBytes == 0 && _page.Requests.Unread == 0) return true;
            if (quiet && Quiet(deadline) || Left(deadline) <= TimeSpan.Zero) return false;
            quiet = !WaitOrClose(deadline);
            Follow();
        }
    }

    /// <summary>
    /// Reads replies and watch events from rsp[] until a packet satisfies <paramref name="isEnd"/>
    /// (returned separately, not in the list), the domain is released, or nothing completes it within
    /// <paramref name="timeout"/>. Keeps writing queued request bytes meanwhile.
    /// </summary>
    public (List<Packet> Before, Packet? End, Ending Ending) ReadUntil(Func<Packet, bool> isEnd, TimeSpan timeout)
    {
        var before = new List<Packet>();
        var deadline = Deadline(_deaf && timeout > DeafWait ? DeafWait : timeout);
        var quiet = false;
        while (true)
        {
            // Looked at before rsp[] is read: what a daemon wrote before it died is still delivered.
            var dead = _daemon is { Exited: true };
            Push();
            ConsumeReplies();
            while (_decoder.Next() is { } packet)
            {
                _deaf = false;
                if (isEnd(packet)) return (before, packet, Ending.Complete);
                before.Add(packet);
            }
            Follow();
            if (dead) Close();
            if (_channel is null) return (before, null, Ending.Closed);
            // Quiet before this pass read rsp[] and still quiet after it (the pass woke the daemon
            // if it freed space): whatever the daemon wrote has been read, and nothing more will come.
            if (quiet && Quiet(deadline) || Left(deadline) <= TimeSpan.Zero)
            {
                if (before.Count == 0) _deaf = true;
                return (before, null, Ending.Timeout);
            }
            quiet = !Wait(deadline);
        }
    }

    /// <summary>
    /// Waits until <paramref name="deadline"/> for a notification or the daemon's death, in
    /// <see cref="IdleGate.Slice"/>s: false (at once) when the daemon is <see cref="IdleGate.Quiet"/>,
    /// so that a caller stops waiting for what will not come before its deadline.
    /// </summary>
    private bool Wait(long deadline)
    {
        while (_channel is { } channel && Left(deadline) is var left && left > TimeSpan.Zero)
        {
            if (channel.Wait(_idle?.Slice(left) ?? left, _daemon)) return true;
            if (Quiet(deadline)) return false;
        }
        return true;
    }

    /// <summary>Whether the daemon has read our kicks and will write nothing more before the deadline (<see cref="IdleGate.Quiet"/>).</summary>
    private bool Quiet(long deadline) => _idle is { } idle && KickSocket is { } kicks && idle.Quiet(deadline, [kicks]);

    /// <summary>The socket our kicks leave by, while the ring is open.</summary>
    internal Socket? KickSocket => _channel?.Socket;

    /// <summary>
    /// <see cref="Wait"/>; a dead daemon closes the connection, as writing to a dead daemon's socket does.
    /// </summary>
    private bool WaitOrClose(long deadline)
    {
        var woke = Wait(deadline);
        if (_daemon is { Exited: true }) Close();
        return woke;
    }

    /// <summary>Ends the connection (the page stays mapped until disposed).</summary>
    private void Close()
    {
        _channel?.Dispose();
        _channel = null;
    }

    /// <summary>
    /// Set when a whole read timed out without a single packet; cleared by the next packet. A daemon that
    /// has stopped serving a domain (oxenstored after a second INTRODUCE keeps the old port: its kicks
    /// raise Not_found) would otherwise cost every later request of the scenario a full send and reply
    /// timeout. Once deaf, a connection waits only <see cref="DeafWait"/>: the divergence is already seen.
    /// </summary>
    private bool _deaf;
    private static readonly TimeSpan DeafWait = TimeSpan.FromMilliseconds(100);

    public void Dispose()
    {
        Close();
        _page.Dispose();
    }

    /// <summary>Writes queued bytes while they fit; kicks if any went in. False when closed.</summary>
    private bool Push()
    {
        if (_channel is null) return false;
        if (_pending.Count > 0 && _page.Requests.Unread < RingPage.RingSize) WakeWhenIdle();
        var wrote = false;
        while (_pending.Count > 0)
        {
            var head = _pending.Peek();
            var n = _page.Requests.Produce(head.AsSpan(_pendingOffset));
            if (n == 0) break;
            wrote = true;
            _pendingOffset += n;
            if (_pendingOffset < head.Length) break;
            _pending.Dequeue();
            _pendingOffset = 0;
        }
        if (wrote) _channel.Kick();
        return true;
    }

    /// <summary>Copies everything in rsp[] into the decoder; kicks if space was freed.</summary>
    private void ConsumeReplies()
    {
        if (_channel is null) return;
        if (_page.Responses.Unread > 0) WakeWhenIdle();
        var freed = false;
        int n;
        while ((n = _page.Responses.Consume(_chunk)) > 0)
        {
            _decoder.Feed(_chunk.AsSpan(0, n));
            freed = true;
        }
        if (freed) _channel.Kick();
    }

    /// <summary>Re-reads the domain's published port: gone means released, another means re-introduced.</summary>
    private void Follow()
    {
        if (_channel is null) return;
        var port = ReadPort(_runFolder, DomainId);
        if (port == _channel.Port) return;
        _channel.Dispose();
        _channel = port is { } p ? new EventChannel(_runFolder, p) : null;
        if (_channel is null) return;
        WakeWhenIdle();
        _channel.Kick();
    }

    /// <summary>
    /// Before a store the daemon reads in the page (req_prod, rsp_cons) and the kick that follows it:
    /// the daemon looks at a ring's indexes in every pass, not only after a kick, so waiting at the
    /// kick alone would leave the race with its unfinished pass (<see cref="IdleGate"/>).
    /// </summary>
    private void WakeWhenIdle() => _idle?.BeforeWake();

    private static uint? ReadPort(string runFolder, uint domid)
    {
        try
        {
            return uint.TryParse(File.ReadAllText(PortPath(runFolder, domid)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port)
                ? port : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Name(uint domid) => domid.ToString(CultureInfo.InvariantCulture);

    private static long Deadline(TimeSpan timeout) => Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    private static TimeSpan Left(long deadline) => Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
}
