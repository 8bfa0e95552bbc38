using System.Globalization;
using System.Net.Sockets;
using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.RealDaemons.Wire;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Running;

/// <summary>
/// The guests' side of one real daemon: a <see cref="RingConnection"/> for every domU the daemon has
/// introduced, which is where a scenario's D&lt;domid&gt; commands go.
/// <list type="bullet">
/// <item>Before an INTRODUCE of a domain that has no ring here, its page is made fresh (4096 zero bytes),
/// as a toolstack hands a new guest a zeroed page; an introduced domain's page is left alone.</item>
/// <item>After every INTRODUCE or RELEASE, whatever its reply, the daemon is asked (IS_DOMAIN_INTRODUCED
/// on the runner's control connection) about each domain that has a port file or a ring here: a newly
/// introduced one gets its ring opened, a released one has it torn down (event socket closed, page
/// file removed). Asking, rather than parsing the request, keeps the daemon's own reading of odd domids
/// ("0x5", "-3") and of refused requests; and oxenstored keeps a released domain's port bound, so the
/// port file alone does not say.</item>
/// <item>The C daemon maps a domain's page by a 16-bit domid (map_interface takes a domid_t) but binds
/// its event channel with the full one: for a domid no real guest can have (65536 and above, or
/// negative), its page is that of the domid's low 16 bits, and the client uses the same page.</item>
/// <item>A live update needs nothing: the page files stay, the daemon maps them again after its
/// re-exec, and a ring follows the port the new process publishes (<see cref="RingConnection"/>).</item>
/// </list>
/// </summary>
internal sealed class DomainRings(string runFolder, ControlChannel control, RunSettings settings, bool pagesBy16BitDomid, ExitWatch daemon,
    IdleGate? idle) : IDisposable
{
    private static readonly TimeSpan PortWait = TimeSpan.FromSeconds(1);
    private readonly SortedDictionary<int, RingConnection> _open = [];

    /// <summary>The scenario connections of the open rings, by domid.</summary>
    public IEnumerable<ConnectionId> Connections => _open.Keys.Select(ConnectionId.Ring);

    /// <summary>The sockets our kicks leave by, one per open ring.</summary>
    public IEnumerable<Socket> KickSockets => _open.Values.Select(r => r.KickSocket).OfType<Socket>();

    /// <summary>The ring of a domU that is introduced now, or null (never introduced, or released).</summary>
    public RingConnection? Of(ConnectionId connection) =>
        connection.Kind == ConnectionKind.Ring ? _open.GetValueOrDefault(connection.Number) : null;

    /// <summary>Whether a request is one after which the set of introduced domains may have changed.</summary>
    public static bool Changes(Packet request) => request.Type is (uint)Op.Introduce or (uint)Op.Release;

    public void BeforeIntroduce(Packet request)
    {
        if (request.Type != (uint)Op.Introduce || DomidOf(request) is not { } domid || domid == 0 || _open.ContainsKey(domid)) return;
        Directory.CreateDirectory(Path.Combine(runFolder, "domu"));
        RingPage.CreateFresh(PagePath(domid));
    }

    public void AfterDomainRequest()
    {
        var candidates = new SortedSet<int>(_open.Keys);
        var folder = Path.Combine(runFolder, "domu");
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.port"))
            {
                if (uint.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id != 0)
                    candidates.Add(unchecked((int)id));
            }
        }
        foreach (var domid in candidates)
        {
            var introduced = IsIntroduced(domid);
            var ring = _open.GetValueOrDefault(domid);
            if (introduced && ring is null) Open(domid);
            else if (!introduced && ring is not null) TearDown(domid, ring);
        }
    }

    private bool IsIntroduced(int domid)
    {
        var (reply, _) = control.Call(settings.ReplyTimeout, Op.IsDomainIntroduced, domid.ToString(CultureInfo.InvariantCulture));
        return reply is not null && reply.Op == Op.IsDomainIntroduced && reply.Payload.StartsWith("T"u8);
    }

    private void Open(int domid)
    {
        try
        {
            _open[domid] = RingConnection.Open(runFolder, unchecked((uint)domid), PortWait, PagePath(domid), daemon, idle);
        }
        catch (TimeoutException)
        {
            // Introduced without a bound port: the daemon is in trouble; its requests will show it.
        }
    }

    private void TearDown(int domid, RingConnection ring)
    {
        ring.Dispose();
        _open.Remove(domid);
        try { File.Delete(PagePath(domid)); }
        catch (IOException) { }
    }

    private string PagePath(int domid) =>
        RingConnection.RingPath(runFolder, pagesBy16BitDomid ? unchecked((uint)domid) & 0xFFFF : unchecked((uint)domid));

    /// <summary>INTRODUCE's first argument when it is a plain decimal number (anything else: the daemon creates the page).</summary>
    private static int? DomidOf(Packet request)
    {
        var payload = request.Payload;
        var nul = payload.IndexOf((byte)0);
        var first = Latin1.Decode(nul < 0 ? payload : payload[..nul]);
        return int.TryParse(first, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var domid) ? domid : null;
    }

    public void Dispose()
    {
        foreach (var ring in _open.Values) ring.Dispose();
        _open.Clear();
    }
}
