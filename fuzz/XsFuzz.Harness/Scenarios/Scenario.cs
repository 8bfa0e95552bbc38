using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Harness.Scenarios;

/// <summary>
/// A domU introduced by dom0 before the commands (INTRODUCE domid, 1000+domid, 10+domid), optionally
/// followed by SET_TARGET domid target.
/// </summary>
public sealed record DomainSetup(int Domid, int? Target)
{
    public static long MfnOf(int domid) => 1000L + domid;
    public static long PortOf(int domid) => 10L + domid;
}

/// <summary>
/// A node written by dom0 before the commands: WRITE path value, then SET_PERMS path perms (each entry
/// as GET_PERMS prints it, e.g. "n3", "r0") unless the list is empty. Strings are Latin-1 byte strings.
/// </summary>
public sealed record NodeSetup(string Path, string Value, ValueList<string> Perms);

/// <summary>One scenario step.</summary>
public abstract record Command;

/// <summary>
/// A request packet from a connection: op number, transaction id and the raw payload (Latin-1, one char
/// per byte), exactly as sent; malformed payloads and unknown op numbers are representable.
/// </summary>
public sealed record RequestCommand(ConnectionId Connection, uint Tx, uint Type, string Payload) : Command;

/// <summary>Harness action: instance A is live-updated, instance B is not; no packet is sent.</summary>
public sealed record LiveUpdateCommand : Command
{
    public static LiveUpdateCommand Instance { get; } = new();
}

/// <summary>
/// A request whose client writes only its first <paramref name="Bytes"/> bytes (1 .. packet length - 1,
/// header included) and reads nothing: a request in flight, e.g. across a live update. The rest is
/// written right before that connection's next request or DRAIN (or at the end of the scenario), whose
/// delivery then holds this request's reply too. The decoder splits only domUs' requests (a guest's
/// ring), but every connection can carry one.
/// </summary>
public sealed record PartialCommand(RequestCommand Request, int Bytes) : Command
{
    /// <summary>The request's bytes on the wire (header and payload).</summary>
    public byte[] Wire(uint requestId) =>
        new Xenstore.Wire.Packet(Request.Type, requestId, Request.Tx, Xenstore.Wire.Latin1.Encode(Request.Payload)).ToBytes();
}

/// <summary>The client of a connection reads everything queued for it (events caused by others).</summary>
public sealed record DrainCommand(ConnectionId Connection) : Command;

/// <summary>
/// A whole test case: initial domains, initial tree, then commands. Plain data with value equality; it
/// prints as text (<see cref="ScenarioText"/>) and that text parses back to an equal scenario.
/// </summary>
public sealed record Scenario(ValueList<DomainSetup> Domains, ValueList<NodeSetup> Nodes, ValueList<Command> Commands)
{
    /// <summary>
    /// The name of the daemons' configuration (one of <see cref="HarnessOptions.Configs"/>, by default a
    /// <see cref="Xenstore.ConfigVariants"/> name), the same on both instances.
    /// </summary>
    public string Config { get; init; } = Xenstore.ConfigVariants.Debian.Name;

    /// <summary>
    /// Watches on / that socket A2, the listener, sets during the setup (tokens l1, l2, ...; 0: none).
    /// The decoder then never picks A2 to send or to drain (only a literal name reaches it), so every
    /// change queues that many events for it until the end: deep output queues at every live update.
    /// </summary>
    public int Listener { get; init; }

    /// <summary>The listening socket (see <see cref="Listener"/>).</summary>
    public static ConnectionId ListenerSocket => ConnectionId.Socket(Sockets);

    /// <summary>The most watches a listener sets.</summary>
    public const int ListenerMax = 64;

    public static Scenario Empty { get; } = new(ValueList<DomainSetup>.Empty, ValueList<NodeSetup>.Empty, ValueList<Command>.Empty);

    /// <summary>Unix-socket connections (privileged, like dom0) every scenario opens at start: A1, A2.</summary>
    public const int Sockets = 2;

    public override string ToString() => ScenarioText.Print(this);
}
