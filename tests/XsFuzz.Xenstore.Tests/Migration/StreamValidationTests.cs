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
        var unknownType = (byte[])dump.Clone();
        unknownType[16] = 99;
        Assert.Contains("unknown record type 99", Assert.Throws<RestoreException>(() => MigrationStream.Restore(unknownType)).Message);
        var trailing = dump.Concat(new byte[8]).ToArray();
        Assert.Contains("after the END", Assert.Throws<RestoreException>(() => MigrationStream.Restore(trailing)).Message);
    }

    [Fact]
    public void A_value_byte_flip_changes_exactly_that_value()
    {
        var twin = new Twin();
        twin.Write(twin.A, "/v", "ABCDEFGH");
        var dump = MigrationStream.DumpToBytes(twin.Updated);
        var at = dump.AsSpan().IndexOf("ABCDEFGH"u8);
        dump[at + 2] = (byte)'x';
        var restored = MigrationStream.Restore(dump);
        var before = StateSnapshot.Of(twin.Updated).Text.Split('\n');
        var after = StateSnapshot.Of(restored).Text.Split('\n');
        var changed = before.Zip(after).Where(p => p.First != p.Second).ToList();
        Assert.Single(changed);
        Assert.Contains("ABxDEFGH", changed[0].Second);
    }
}
