namespace XsFuzz.Xenstore.Migration;

/// <summary>
/// What a live update's dump fills: the stream, and the stamps of the nodes written so far. A restored
/// daemon keeps them for its own live update (<see cref="Xenstored.DumpBuffers"/>), so a chain of live
/// updates grows them only when a dump is larger than every one before. Only capacity carries over.
/// </summary>
internal sealed class DumpBuffers
{
    public MemoryStream Stream { get; } = new();
    public HashSet<long> Written { get; } = [];

    /// <summary>
    /// Empties both: a restore must not read the end of a longer dump before this one, and a dump must
    /// not skip the nodes an earlier dump wrote (restored nodes keep their stamps).
    /// </summary>
    public DumpBuffers Emptied()
    {
        Stream.SetLength(0);
        Written.Clear();
        return this;
    }
}
