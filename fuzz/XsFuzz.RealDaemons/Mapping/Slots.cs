using XsFuzz.Harness.Running;
using XsFuzz.Xenstore.Domains;

namespace XsFuzz.RealDaemons.Mapping;

/// <summary>
/// The socket connections a real run opens, in this order (so that oxenstored names them A1..A4 as it
/// accepts them, like the model names its sockets):
/// <list type="number">
/// <item>slot 0: the scenario's socket A1;</item>
/// <item>slot 1: the scenario's socket A2;</item>
/// <item>slot 2: the scenario's D0, dom0's ring in the model. A real daemon's dom0 ring is a dummy page
/// in the sandbox, so dom0 speaks through a third socket: the same domid (0), the same privilege and
/// the same relative-path base, only its DEBUG name differs (A3, not D0). The setup (INTRODUCE,
/// SET_TARGET, initial nodes) goes through it too;</item>
/// <item>slot 3: the runner's control connection, which the scenario never uses: live-update requests,
/// and the state walks that compare the trees.</item>
/// </list>
/// </summary>
public static class Slots
{
    public const int Socket1 = 0, Socket2 = 1, Dom0 = 2, Control = 3, Count = 4;

    /// <summary>
    /// The model as `real diff` runs it: the same four sockets in the same order, dom0 on the third
    /// (so DEBUG names agree with oxenstored's), the walker on the fourth, and the sync points.
    /// </summary>
    public static ModelLayout ModelLayout { get; } = new(Count, ConnectionId.Socket(Dom0 + 1), ConnectionId.Socket(Control + 1), SyncPoints: true);

    /// <summary>The slot a scenario connection maps to, or null when no socket stands for it.</summary>
    public static int? Of(ConnectionId id) => id switch
    {
        { Kind: ConnectionKind.Socket, Number: 1 } => Socket1,
        { Kind: ConnectionKind.Socket, Number: 2 } => Socket2,
        { Kind: ConnectionKind.Ring, Number: 0 } => Dom0,
        _ => null,
    };

    /// <summary>What the report calls a slot.</summary>
    public static string Name(int slot) => slot switch
    {
        Socket1 => "A1",
        Socket2 => "A2",
        Dom0 => "D0 (as a socket)",
        _ => "control",
    };
}
