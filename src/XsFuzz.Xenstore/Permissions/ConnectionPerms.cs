namespace XsFuzz.Xenstore.Permissions;

/// <summary>
/// Who a connection acts as (spec §4.3-4.4): its own domid and, after SET_TARGET, a target domid.
/// Privileged when either is 0.
/// </summary>
internal readonly record struct ConnectionPerms(long Main, long? Target)
{
    public bool IsPrivileged => Main == 0 || Target == 0;

    public bool IsOwner(long domid) => Main == domid || Target == domid;

    /// <summary>OCaml's <c>Perms.has</c>: may this connection read or write a node with these perms?</summary>
    public bool Has(PermKind wanted, NodePerms perms, bool permsActivate)
    {
        if (!permsActivate || IsPrivileged || IsOwner(perms.Owner)) return true;
        if (PermLetters.Grants(perms.For(Main), wanted)) return true;
        return Target is { } target && PermLetters.Grants(perms.For(target), wanted);
    }
}
