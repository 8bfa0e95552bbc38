namespace XsFuzz.RealDaemons.Sandbox;

/// <summary>Debian 12's two xenstore daemons (package xen-utils-4.17).</summary>
public enum DaemonKind
{
    /// <summary>The OCaml daemon the model follows.</summary>
    Oxenstored,
    /// <summary>The C daemon.</summary>
    Xenstored,
}

public static class DaemonKinds
{
    /// <summary>The binary's name, which is also what the CLI and the sandbox script call it.</summary>
    public static string Name(this DaemonKind kind) => kind == DaemonKind.Oxenstored ? "oxenstored" : "xenstored";

    public static bool TryParse(string text, out DaemonKind kind)
    {
        kind = text switch { "xenstored" or "c" or "C" => DaemonKind.Xenstored, _ => DaemonKind.Oxenstored };
        return text is "oxenstored" or "o" or "xenstored" or "c" or "C";
    }
}
