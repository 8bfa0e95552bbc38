using System.Text;
using XsFuzz.Xenstore.Paths;
using XsFuzz.Xenstore.Permissions;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Processing;

/// <summary>The store requests (spec §1.4, §3.3): payload shape, path, then the store operation.</summary>
internal static class StoreRequests
{
    public static Response Read(RequestContext c)
    {
        if (OnePath(c) is not { } path) return Response.Fail(XsError.EINVAL);
        var error = c.Daemon.Store.Read(c.Transaction, c.Connection.Perms, path, out var value);
        return error == XsError.None ? Response.Reply(value) : Response.Fail(error);
    }

    public static Response Directory(RequestContext c)
    {
        if (OnePath(c) is not { } path) return Response.Fail(XsError.EINVAL);
        var error = c.Daemon.Store.Directory(c.Transaction, c.Connection.Perms, path, out var children);
        if (error != XsError.None) return Response.Fail(error);
        var text = new StringBuilder();
        foreach (var child in children) text.Append(child).Append('\0');
        return Response.Reply(Latin1.Encode(text.ToString()));
    }

    public static Response GetPerms(RequestContext c)
    {
        if (OnePath(c) is not { } path) return Response.Fail(XsError.EINVAL);
        var error = c.Daemon.Store.GetPerms(c.Transaction, c.Connection.Perms, path, out var perms);
        return error == XsError.None ? Response.Reply(Latin1.Encode(perms.ToText() + "\0")) : Response.Fail(error);
    }

    /// <summary>Anyone may ask; the domid is parsed leniently and need not exist (spec §8.4).</summary>
    public static Response GetDomainPath(RequestContext c)
    {
        var pieces = PayloadSplit.Split(c.Payload, 8);
        if (pieces.Count != 2 || pieces[1].Length != 0) return Response.Fail(XsError.EINVAL);
        var domid = OcamlInt.ParseLenient(pieces[0]);
        return Response.Reply(Latin1.Encode("/local/domain/" + OcamlInt.FormatUnsigned(domid) + "\0"));
    }

    public static Response Write(RequestContext c)
    {
        if (!PayloadSplit.TrySplitHead(c.Payload, out var text, out var value)) return Response.Fail(XsError.EINVAL);
        if (Resolve(c, text) is not { } path) return Response.Fail(XsError.EINVAL);
        var error = c.Daemon.Store.CreateImplicitParents(c.Transaction, c.Connection.Perms, path);
        if (error == XsError.None) error = c.Daemon.Store.Write(c.Transaction, c.Connection.Perms, path, value.ToArray());
        return Ack(error);
    }

    public static Response Mkdir(RequestContext c)
    {
        if (OnePath(c) is not { } path) return Response.Fail(XsError.EINVAL);
        var error = c.Daemon.Store.CreateImplicitParents(c.Transaction, c.Connection.Perms, path);
        if (error == XsError.None) error = c.Daemon.Store.Mkdir(c.Transaction, c.Connection.Perms, path);
        return Ack(error);
    }

    public static Response Rm(RequestContext c)
    {
        if (OnePath(c) is not { } path) return Response.Fail(XsError.EINVAL);
        return Ack(c.Daemon.Store.Rm(c.Transaction, c.Connection.Perms, path));
    }

    public static Response SetPerms(RequestContext c)
    {
        if (!PayloadSplit.TrySplitHead(c.Payload, out var text, out var permText)) return Response.Fail(XsError.EINVAL);
        if (NodePerms.Parse(permText) is not { } perms) return Response.Fail(XsError.EINVAL);
        if (Resolve(c, text) is not { } path) return Response.Fail(XsError.EINVAL);
        return Ack(c.Daemon.Store.SetPerms(c.Transaction, c.Connection.Perms, path, perms));
    }

    private static Response Ack(XsError error) => error == XsError.None ? Response.Ack : Response.Fail(error);

    /// <summary>The payload <c>path\0</c> exactly, resolved and validated; null means EINVAL.</summary>
    private static XsPath? OnePath(RequestContext c) =>
        PayloadSplit.OnePath(c.Payload) is { } text ? Resolve(c, text) : null;

    private static XsPath? Resolve(RequestContext c, string text) =>
        XsPath.Resolve(text, c.Domid, c.Daemon.Config.PathMax);
}
