using XsFuzz.Harness.Decoding;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Generation;

/// <summary>What a command record decodes to: a well-formed request of one op, a raw request, or an action.</summary>
internal enum CommandKind
{
    LiveUpdate, Read, Directory, GetPerms, Write, Mkdir, Rm, SetPerms, Watch, Unwatch, TransactionStart,
    TransactionEnd, Introduce, Release, GetDomainPath, IsDomainIntroduced, Resume, SetTarget,
    ResetWatches, Control, Raw, Drain,
}

internal static class CommandKinds
{
    /// <summary>
    /// How often each kind is decoded (sums to 256, in enum order). LIVE-UPDATE comes first: an empty
    /// record is a live update, so "one more live update" costs a fuzzer (and a shrunk input) one byte.
    /// </summary>
    public static readonly WeightTable Table = new(
        28, // LiveUpdate
        20, // Read
        8,  // Directory
        8,  // GetPerms
        38, // Write
        10, // Mkdir
        10, // Rm
        20, // SetPerms
        20, // Watch
        8,  // Unwatch
        18, // TransactionStart
        18, // TransactionEnd
        6,  // Introduce
        4,  // Release
        3,  // GetDomainPath
        3,  // IsDomainIntroduced
        2,  // Resume
        5,  // SetTarget
        3,  // ResetWatches
        6,  // Control
        4,  // Raw
        14  // Drain
    );

    public static Op OpOf(CommandKind kind) => kind switch
    {
        CommandKind.Read => Op.Read,
        CommandKind.Directory => Op.Directory,
        CommandKind.GetPerms => Op.GetPerms,
        CommandKind.Write => Op.Write,
        CommandKind.Mkdir => Op.Mkdir,
        CommandKind.Rm => Op.Rm,
        CommandKind.SetPerms => Op.SetPerms,
        CommandKind.Watch => Op.Watch,
        CommandKind.Unwatch => Op.Unwatch,
        CommandKind.TransactionStart => Op.TransactionStart,
        CommandKind.TransactionEnd => Op.TransactionEnd,
        CommandKind.Introduce => Op.Introduce,
        CommandKind.Release => Op.Release,
        CommandKind.GetDomainPath => Op.GetDomainPath,
        CommandKind.IsDomainIntroduced => Op.IsDomainIntroduced,
        CommandKind.Resume => Op.Resume,
        CommandKind.SetTarget => Op.SetTarget,
        CommandKind.ResetWatches => Op.ResetWatches,
        CommandKind.Control => Op.Control,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a well-formed request kind"),
    };

    /// <summary>
    /// The well-formed kind a request has, judged by its op and payload shape, or Raw when the decoder's
    /// generator for that op could not have produced this payload.
    /// </summary>
    public static CommandKind KindOf(uint type, string payload, out string[] args)
    {
        args = [];
        if (type > (uint)Op.DirectoryPart) return CommandKind.Raw;
        var op = (Op)type;
        if (op == Op.Write)
        {
            var nul = payload.IndexOf('\0', StringComparison.Ordinal);
            if (nul < 0) return CommandKind.Raw;
            args = [payload[..nul], payload[(nul + 1)..]];
            return CommandKind.Write;
        }
        if (op is Op.TransactionStart or Op.ResetWatches)
            return payload.Length == 0 ? (op == Op.TransactionStart ? CommandKind.TransactionStart : CommandKind.ResetWatches) : CommandKind.Raw;
        if (payload.Length == 0 || payload[^1] != '\0') return CommandKind.Raw;
        args = payload[..^1].Split('\0');
        var n = args.Length;
        return op switch
        {
            Op.Read when n == 1 => CommandKind.Read,
            Op.Directory when n == 1 => CommandKind.Directory,
            Op.GetPerms when n == 1 => CommandKind.GetPerms,
            Op.Mkdir when n == 1 => CommandKind.Mkdir,
            Op.Rm when n == 1 => CommandKind.Rm,
            Op.SetPerms when n >= 2 => CommandKind.SetPerms,
            Op.Watch when n == 2 => CommandKind.Watch,
            Op.Unwatch when n == 2 => CommandKind.Unwatch,
            Op.TransactionEnd when n == 1 => CommandKind.TransactionEnd,
            Op.Introduce when n == 3 => CommandKind.Introduce,
            Op.Release when n == 1 => CommandKind.Release,
            Op.GetDomainPath when n == 1 => CommandKind.GetDomainPath,
            Op.IsDomainIntroduced when n == 1 => CommandKind.IsDomainIntroduced,
            Op.Resume when n == 1 => CommandKind.Resume,
            Op.SetTarget when n == 2 => CommandKind.SetTarget,
            Op.Control => CommandKind.Control,
            _ => CommandKind.Raw,
        };
    }
}
