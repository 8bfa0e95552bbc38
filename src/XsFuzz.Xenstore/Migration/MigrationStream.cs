namespace XsFuzz.Xenstore.Migration;

/// <summary>The live-update stream: everything a restored daemon needs to be indistinguishable.</summary>
public static class MigrationStream
{
    /// <summary>Writes the daemon's whole state; a planted <paramref name="fault"/> corrupts one kind of it.</summary>
    public static void Dump(Xenstored daemon, Stream into, LiveUpdateFault fault = LiveUpdateFault.None) =>
        new Dumper(daemon.State, into, fault).Dump();

    /// <summary>Builds a new daemon from a dump; throws <see cref="RestoreException"/> on any defect.</summary>
    public static Xenstored Restore(Stream from)
    {
        using var copy = new MemoryStream();
        from.CopyTo(copy);
        return new Xenstored(new Restorer(copy.ToArray()).Restore());
    }

    public static byte[] DumpToBytes(Xenstored daemon, LiveUpdateFault fault = LiveUpdateFault.None)
    {
        using var stream = new MemoryStream();
        Dump(daemon, stream, fault);
        return stream.ToArray();
    }

    public static Xenstored Restore(byte[] dump) => new(new Restorer(dump).Restore());
}
