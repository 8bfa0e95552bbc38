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
}
