using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Tests.Model;

/// <summary>
/// A seeded stream of plausible and implausible requests over a few connections: small path and
/// token pools so that requests collide, every op number, malformed payloads now and then.
/// </summary>
internal sealed class RandomRequests(int seed)
{
    private static readonly string[] Paths =
        ["/a", "/a/b", "/a/b/c", "/t", "/t/x", "/local/domain/1", "/local/domain/1/data", "data", "data/x", "@introduceDomain",
         "@releaseDomain", "/", "@odd/name", "/local/domain/2/d", "rel/y", "//bad", "/a/"];
    private static readonly string[] Tokens = ["w", "t", ""];
    private readonly Random _random = new(seed);
    private uint _rid = 1;

    public (ConnectionId From, Packet Request) Next(Xenstored daemon)
    {
        var connections = daemon.Connections;
        var from = connections[_random.Next(connections.Count)];
        var open = daemon.OpenTransactions(from);
        var tx = open.Count > 0 && _random.Next(3) > 0 ? open[_random.Next(open.Count)] : (uint)(_random.Next(20) == 0 ? 7 : 0);
        return (from, Request(tx));
    }

    private Packet Request(uint tx)
    {
        var rid = _rid++;
        string P() => Paths[_random.Next(Paths.Length)];
        string T() => Tokens[_random.Next(Tokens.Length)];
        string D() => _random.Next(1, 4).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (_random.Next(25) == 0)
        {
            var junk = new byte[_random.Next(12)];
            _random.NextBytes(junk);
            return new Packet((uint)_random.Next(25), rid, tx, junk);
        }
        return _random.Next(17) switch
        {
            0 => Packet.Request(Op.Read, rid, tx, P()),
            1 => Packet.WriteRequest(rid, tx, P(), Latin1.Encode(_random.Next(4) == 0 ? "v\0x" : "v" + _random.Next(3))),
            2 => Packet.Request(Op.Mkdir, rid, tx, P()),
            3 => Packet.Request(Op.Rm, rid, tx, P()),
            4 => Packet.Request(Op.Directory, rid, tx, P()),
            5 => Packet.Request(Op.GetPerms, rid, tx, P()),
            6 => Packet.Request(Op.SetPerms, rid, tx, P(), "n" + D(), "r" + D()),
            7 => Packet.Request(Op.Watch, rid, tx, P(), T()),
            8 => Packet.Request(Op.Unwatch, rid, tx, P(), T()),
            9 => Packet.Request(Op.TransactionStart, rid, tx, ""),
            10 => Packet.Request(Op.TransactionEnd, rid, tx, _random.Next(3) == 0 ? "F" : "T"),
            11 => Packet.Request(Op.Introduce, rid, tx, D(), "100" + D(), "1" + D()),
            12 => Packet.Request(Op.Release, rid, tx, D()),
            13 => Packet.Request(Op.SetTarget, rid, tx, D(), _random.Next(2) == 0 ? "0" : D()),
            14 => Packet.Request(Op.Control, rid, tx, "quota", D()),
            15 => Packet.Request(Op.ResetWatches, rid, tx, ""),
            _ => Packet.Request(Op.IsDomainIntroduced, rid, tx, D()),
        };
    }
}
