namespace XsFuzz.Xenstore.Wire;

/// <summary>Operation numbers of xs_wire.h (Xen 4.17). Any other uint may arrive on the wire.</summary>
public enum Op : uint
{
    Control = 0, // oxenstored calls it DEBUG
    Directory = 1,
    Read = 2,
    GetPerms = 3,
    Watch = 4,
    Unwatch = 5,
    TransactionStart = 6,
    TransactionEnd = 7,
    Introduce = 8,
    Release = 9,
    GetDomainPath = 10,
    Write = 11,
    Mkdir = 12,
    Rm = 13,
    SetPerms = 14,
    WatchEvent = 15,
    Error = 16,
    IsDomainIntroduced = 17,
    Resume = 18,
    SetTarget = 19,
    Restrict = 20, // removed from the protocol: ENOSYS
    ResetWatches = 21,
    DirectoryPart = 22, // not implemented by oxenstored: ENOSYS
}

public static class OpNames
{
    /// <summary>The xs_wire.h name without the XS_ prefix, or the number for unknown ops.</summary>
    public static string Name(uint type) => type switch
    {
        0 => "DEBUG", // oxenstored's name for CONTROL
        1 => "DIRECTORY",
        2 => "READ",
        3 => "GET_PERMS",
        4 => "WATCH",
        5 => "UNWATCH",
        6 => "TRANSACTION_START",
        7 => "TRANSACTION_END",
        8 => "INTRODUCE",
        9 => "RELEASE",
        10 => "GET_DOMAIN_PATH",
        11 => "WRITE",
        12 => "MKDIR",
        13 => "RM",
        14 => "SET_PERMS",
        15 => "WATCH_EVENT",
        16 => "ERROR",
        17 => "IS_DOMAIN_INTRODUCED",
        18 => "RESUME",
        19 => "SET_TARGET",
        20 => "RESTRICT",
        21 => "RESET_WATCHES",
        22 => "DIRECTORY_PART",
        _ => type.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Inverse of <see cref="Name"/>; also accepts CONTROL and decimal numbers.</summary>
    public static bool TryParse(string name, out uint type)
    {
        if (name == "CONTROL") { type = 0; return true; }
        for (uint t = 0; t <= 22; t++)
        {
            if (Name(t) == name) { type = t; return true; }
        }
        return uint.TryParse(name, System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out type);
    }
}
