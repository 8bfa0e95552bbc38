using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Tests.Migration;

/// <summary>Restore rejects defective streams cleanly: one exception type, naming record and offset.</summary>
public class StreamValidationTests
{
    private static byte[] SampleDump()
    {
        var twin = new Twin();
        twin.Write(twin.A, "/t/a", "value\0with nul");
        twin.Do(twin.A, Op.Watch, 0, "/t", "w");
        twin.Do(twin.A, Op.TransactionStart, 0, "");
        twin.Write(twin.A, "/t/b", "tx", tx: 1);
        twin.Do(twin.A, Op.Introduce, 0, "3", "1003", "13");
        return MigrationStream.DumpToBytes(twin.Updated);
    }

    [Fact]
    public void Every_truncation_is_rejected()
    {
        var dump = SampleDump();
        for (var length = 0; length < dump.Length; length++)
        {
            var error = Assert.Throws<RestoreException>(() => MigrationStream.Restore(dump[..length]));
            Assert.Contains("offset", error.Message);
        }
    }

    /// <summary>
    /// A live update restores from the dump's own buffer, which is longer than the stream: the restore
    /// must read the stream's length, never the buffer's (a truncated stream in a full buffer is still
    /// truncated, and bytes after the stream are not "data after the END record").
    /// </summary>
    [Fact]
    public void A_stream_in_a_longer_buffer_is_read_to_its_length_only()
    {
        var dump = SampleDump();
        var buffer = new byte[dump.Length + 64];
        dump.CopyTo(buffer, 0);
        buffer.AsSpan(dump.Length).Fill(0xAB);
        for (var length = 0; length < dump.Length; length += 7)
        {
            var error = Assert.Throws<RestoreException>(() => new Restorer(buffer, length, LiveUpdateFault.None).Restore());
            Assert.Contains("offset", error.Message);
        }
        var restored = new Xenstored(new Restorer(buffer, dump.Length, LiveUpdateFault.None).Restore());
        Assert.True(StateComparer.Same(MigrationStream.Restore(dump), restored));
    }

    /// <summary>A live update gives the same daemon as restoring a copy of the dump, and keeps the dump's buffers.</summary>
    [Fact]
    public void Live_update_restores_what_the_dump_holds()
    {
        var dump = SampleDump();
        var daemon = MigrationStream.Restore(dump);
        var updated = daemon.LiveUpdate();
        Assert.True(StateComparer.Same(daemon, updated));
        Assert.Equal(MigrationStream.DumpToBytes(daemon), MigrationStream.DumpToBytes(updated));
        Assert.Equal(dump.Length, updated.DumpBuffers!.Stream.Length);
    }

    /// <summary>
    /// A chain of live updates dumps into one stream: each restore reads its own dump, not what a longer
    /// dump before it left in the stream, each dump writes every node (not only those the last dump had
    /// not), and a daemon updated twice does not share its buffers.
    /// </summary>
    [Fact]
    public void Live_updates_in_a_row_each_restore_their_own_dump()
    {
        var twin = new Twin();
        for (var i = 0; i < 20; i++) twin.Write(twin.A, $"/t/n{i}", new string('v', 50));
        twin.LiveUpdate();
        var buffer = twin.Updated.DumpBuffers;
        twin.Do(twin.A, Op.Rm, 0, "/t");
        twin.Write(twin.A, "/u", "short");
        twin.LiveUpdate(); // compares the restored state with the reference's
        Assert.Same(buffer, twin.Updated.DumpBuffers);
        twin.DrainAndCompare();

        var daemon = twin.Updated;
        var first = daemon.LiveUpdate();
        var second = daemon.LiveUpdate();
        Assert.NotSame(first.DumpBuffers, second.DumpBuffers);
        Assert.True(StateComparer.Same(daemon, first));
        Assert.True(StateComparer.Same(daemon, second));
    }

    [Fact]
    public void Random_byte_flips_are_rejected_or_restore_cleanly()
    {
        var dump = SampleDump();
        var random = new Random(1234);
        var rejected = 0;
        for (var i = 0; i < 3000; i++)
        {
            var corrupt = (byte[])dump.Clone();
            var at = random.Next(corrupt.Length);
            corrupt[at] ^= (byte)(1 + random.Next(255));
            try
            {
                var restored = MigrationStream.Restore(corrupt);
                _ = StateSnapshot.Of(restored); // a restored daemon must be usable
                restored.Handle(Xenstored.Dom0, Packet.Request(Op.Directory, 1, 0, "/"));
            }
            catch (RestoreException)
            {
                rejected++;
            }
        }
        Assert.InRange(rejected, 1, 3000);
    }

    [Fact]
    public void Header_defects_are_named()
    {
        var dump = SampleDump();
        var wrongMagic = (byte[])dump.Clone();
        wrongMagic[0] = (byte)'X';
        Assert.Contains("magic", Assert.Throws<RestoreException>(() => MigrationStream.Restore(wrongMagic)).Message);
        var wrongVersion = (byte[])dump.Clone();
        wrongVersion[11] ^= 0xff;
        Assert.Contains("version", Assert.Throws<RestoreException>(() => MigrationStream.Restore(wrongVersion)).Message);
        var changedType = (byte[])dump.Clone();
        changedType[16] = 99;
        Assert.Contains("checksum mismatch", Assert.Throws<RestoreException>(() => MigrationStream.Restore(changedType)).Message);
        var editor = new StreamEditor(dump);
        editor.InsertBefore(1, (RecordType)99, []);
        Assert.Contains("unknown record type 99", Assert.Throws<RestoreException>(() => MigrationStream.Restore(editor.Seal())).Message);
        var trailing = dump.Concat(new byte[8]).ToArray();
        Assert.Contains("after the END", Assert.Throws<RestoreException>(() => MigrationStream.Restore(trailing)).Message);
    }
}
