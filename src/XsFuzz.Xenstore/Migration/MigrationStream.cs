namespace XsFuzz.Xenstore.Migration;

/// <summary>The live-update stream: everything a restored daemon needs to be indistinguishable.</summary>
public static class MigrationStream
{
    /// <summary>Writes the daemon's whole state; a planted <paramref name="fault"/> corrupts one kind of it.</summary>
    public static void Dump(Xenstored daemon, Stream into, LiveUpdateFault fault = LiveUpdateFault.None) =>
        new Dumper(daemon.State, into, fault, []).Dump();

    public static byte[] DumpToBytes(Xenstored daemon, LiveUpdateFault fault = LiveUpdateFault.None)
    {
        using var stream = new MemoryStream();
        Dump(daemon, stream, fault);
        return stream.ToArray();
    }

    /// <summary>
    /// Dumps and restores in one go (a live update): the restore reads the dump's own buffer instead of a
    /// copy of it. The buffers are the ones the daemon's own live update left it (emptied first), so a
    /// chain of live updates dumps into one stream, grown only when a dump is longer than every one before.
    /// </summary>
    internal static Xenstored DumpAndRestore(Xenstored daemon, LiveUpdateFault fault)
    {
        // Taken, not shared: a second live update of the same daemon gets buffers of its own.
        var buffers = daemon.TakeDumpBuffers().Emptied();
        new Dumper(daemon.State, buffers.Stream, fault, buffers.Written).Dump();
        // The restore copies every value and text out of the stream: the new daemon may reuse it.
        var restored = new Xenstored(new Restorer(buffers.Stream.GetBuffer(), (int)buffers.Stream.Length, fault).Restore());
        restored.DumpBuffers = buffers;
        return restored;
    }

    /// <summary>Builds a new daemon from a dump; throws <see cref="RestoreException"/> on any defect.</summary>
    public static Xenstored Restore(byte[] dump) => new(new Restorer(dump, LiveUpdateFault.None).Restore());

    /// <summary>A restore with a planted <paramref name="fault"/> in what it rebuilds (most faults act in the dump instead).</summary>
    internal static Xenstored Restore(byte[] dump, LiveUpdateFault fault) => new(new Restorer(dump, fault).Restore());
}
