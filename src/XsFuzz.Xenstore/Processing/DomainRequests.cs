using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Processing;

/// <summary>INTRODUCE, RELEASE, RESUME, IS_DOMAIN_INTRODUCED and SET_TARGET (spec §8): privileged only.</summary>
internal static class DomainRequests
{
    /// <summary>DOMID_SELF: always "introduced".</summary>
    private const long DomidSelf = 0x7FF0;

    public static Response Introduce(RequestContext c)
    {
        if (!c.Privileged) return Response.Fail(XsError.EACCES);
        var pieces = PayloadSplit.Split(c.Payload, 8);
        if (pieces.Count < 3) return Response.Fail(XsError.EINVAL);
        // OCaml evaluates the tuple right to left: port, then mfn (whose failure is unmapped: EIO), then domid.
        if (!OcamlInt.TryParseInt(pieces[2], out var port)) return Response.Fail(XsError.EINVAL);
        if (!OcamlInt.TryParseNative(pieces[1], out var mfn))
        {
            c.Unhandled = true;
            return Response.Fail(XsError.EIO);
        }
        if (!OcamlInt.TryParseInt(pieces[0], out var domid)) return Response.Fail(XsError.EINVAL);

        var daemon = c.Daemon;
        if (DomainOf(daemon, domid) is { } existing)
        {
            var own = daemon.Find(ConnectionId.Ring(existing.Domid));
            if (existing.Mfn == mfn && own != c.Connection) existing.RemotePort = port;
            return existing.RemotePort == port && existing.Mfn == mfn ? Response.Ack : Response.Fail(XsError.EINVAL);
        }
        // Without a hypervisor every page maps and every channel binds (the oracle's stubs accept domids
        // 70000 and -3 alike). The model's one refusal: a domid beyond 32 bits, which it cannot name.
        if (domid is < int.MinValue or > int.MaxValue) return Response.Fail(XsError.EINVAL);
        var domain = new Domain((int)domid, mfn, port);
        daemon.Domains[domain.Domid] = domain;
        daemon.AddConnection(new Connection(ConnectionId.Ring(domain.Domid), domain.Domid));
        return daemon.Events.FireSpecial(c.Transaction.Store.Root, "@introduceDomain")
            ? Response.Ack
            : Response.Fail(XsError.EINVAL);
    }

    /// <summary>
    /// Removes the domain and its connection, then rewrites the (transaction's) tree whether or not the
    /// domain existed; only then does a missing domain get EINVAL (spec §8.2).
    /// </summary>
    public static Response Release(RequestContext c)
    {
        if (!c.Privileged) return Response.Fail(XsError.EACCES);
        var pieces = PayloadSplit.Split(c.Payload, 8);
        if (pieces.Count != 2 || pieces[1].Length != 0 || !OcamlInt.TryParseInt(pieces[0], out var domid))
            return Response.Fail(XsError.EINVAL);
        var daemon = c.Daemon;
        var domain = DomainOf(daemon, domid);
        if (domain is not null)
        {
            daemon.Domains.Remove(domain.Domid);
            if (daemon.Find(ConnectionId.Ring(domain.Domid)) is { } connection) daemon.RemoveConnection(connection);
        }
        daemon.Store.RemoveDomain(c.Transaction.Store, domid);
        if (domain is null) return Response.Fail(XsError.EINVAL);
        return daemon.Events.FireSpecial(c.Transaction.Store.Root, "@releaseDomain")
            ? Response.Ack
            : Response.Fail(XsError.ENOENT);
    }

    public static Response Resume(RequestContext c)
    {
        if (!c.Privileged) return Response.Fail(XsError.EACCES);
        if (!OcamlInt.TryParseInt(PayloadSplit.Split(c.Payload, 8)[0], out var domid)) return Response.Fail(XsError.EINVAL);
        return DomainOf(c.Daemon, domid) is null ? Response.Fail(XsError.EINVAL) : Response.Ack;
    }

    public static Response IsIntroduced(RequestContext c)
    {
        if (!c.Privileged) return Response.Fail(XsError.EACCES);
        if (!OcamlInt.TryParseInt(PayloadSplit.Split(c.Payload, 8)[0], out var domid)) return Response.Fail(XsError.EINVAL);
        var yes = domid == DomidSelf || DomainOf(c.Daemon, domid) is not null;
        return Response.Reply(yes ? "T\0"u8.ToArray() : "F\0"u8.ToArray());
    }

    /// <summary>Both domids lenient; the first must have a ring connection; the target need not exist.</summary>
    public static Response SetTarget(RequestContext c)
    {
        if (!c.Privileged) return Response.Fail(XsError.EACCES);
        var pieces = PayloadSplit.Split(c.Payload, 8);
        if (pieces.Count != 3 || pieces[2].Length != 0) return Response.Fail(XsError.EINVAL);
        var domid = OcamlInt.ParseLenient(pieces[0]);
        var target = OcamlInt.ParseLenient(pieces[1]);
        if (domid is < int.MinValue or > int.MaxValue || c.Daemon.Find(ConnectionId.Ring((int)domid)) is not { } connection)
            return Response.Fail(XsError.ENOENT);
        connection.Perms = connection.Perms with { Target = target };
        return Response.Ack;
    }

    private static Domain? DomainOf(Daemon daemon, long domid) =>
        domid is >= int.MinValue and <= int.MaxValue ? daemon.Domains.GetValueOrDefault((int)domid) : null;
}
