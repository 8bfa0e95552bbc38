namespace XsFuzz.Xenstore.LiveUpdate;

/// <summary>A dump stream that cannot be restored; the message names the record and byte offset.</summary>
public sealed class RestoreException(string message) : Exception(message);

/// <summary>The live-update stream: everything a restored daemon needs to be indistinguishable.</summary>
public static class LiveUpdateStream
{
    public static void Dump(Xenstored daemon, Stream into, LiveUpdateFault fault = LiveUpdateFault.None) =>
        throw new NotImplementedException();

    /// <summary>Builds a new daemon from a dump; throws <see cref="RestoreException"/> on any defect.</summary>
    public static Xenstored Restore(Stream from, LiveUpdateFault fault = LiveUpdateFault.None) =>
        throw new NotImplementedException();
}

/// <summary>
/// The canonical state of a daemon as stable text (tree with values, perms and stamps, quotas,
/// domains, connections with watches, counters, queues, open transactions). Equal text = equal state.
/// </summary>
public sealed record StateSnapshot(string Text)
{
    public static StateSnapshot Of(Xenstored daemon) => throw new NotImplementedException();
    public override string ToString() => Text;
}
