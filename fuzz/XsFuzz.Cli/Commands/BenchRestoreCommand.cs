using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz bench-restore`: the mutation experiment of issue 16. Dumps a daemon holding every kind of
/// state, then restores N randomly mutated copies of the dump (byte flips, overwritten integers,
/// deleted, inserted, duplicated and truncated ranges) and counts the outcomes: rejected with a
/// RestoreException (wanted), restored into the same state, restored SILENTLY into a different state,
/// any other exception, and a hang (one trial taking longer than --hang-seconds). Exit 0 only with
/// no silent change, no other exception and no hang.
/// </summary>
internal static class BenchRestoreCommand
{
    public static Command Create(CliIo io)
    {
        var mutations = new Option<int>("--mutations") { Description = "mutated dumps to restore", DefaultValueFactory = _ => 100_000 };
        var seed = new Option<int>("--seed") { Description = "seed of the mutations", DefaultValueFactory = _ => 1 };
        var hang = new Option<int>("--hang-seconds") { Description = "a trial running longer than this is a hang", DefaultValueFactory = _ => 10 };
        var command = new Command("bench-restore", "restore randomly mutated dumps and count silent state changes") { mutations, seed, hang };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(mutations);
            var hangSeconds = parse.GetValue(hang);
            if (count is < 1 or > 10_000_000 || hangSeconds is < 1 or > 3600)
                throw new UsageException("--mutations 1..10000000, --hang-seconds 1..3600");
            return Run(io, count, parse.GetValue(seed), hangSeconds);
        });
        return command;
    }

    private sealed class Tally
    {
        public long Rejected, Same, Silent, Invisible, Other, Done;
        public string? FirstSilent, FirstOther;
    }

    private static int Run(CliIo io, int count, int seed, int hangSeconds)
    {
        var original = SampleDaemon();
        var dump = MigrationStream.DumpToBytes(original);
        var tally = new Tally();
        var clock = Stopwatch.StartNew();
        var worker = new Thread(() => Trials(original, dump, count, seed, tally), 16 * 1024 * 1024) { IsBackground = true };
        worker.Start();
        long seen = -1;
        var stalled = Stopwatch.StartNew();
        while (!worker.Join(200))
        {
            var done = Interlocked.Read(ref tally.Done);
            if (done != seen)
            {
                seen = done;
                stalled.Restart();
            }
            else if (stalled.Elapsed.TotalSeconds > hangSeconds)
            {
                io.Out.WriteLine($"HANG: trial {done} (seed {seed}) ran for more than {hangSeconds} s");
                Report(io, dump.Length, tally, 1, clock.Elapsed);
                return XsfuzzApp.Failed;
            }
        }
        Report(io, dump.Length, tally, 0, clock.Elapsed);
        return tally.Silent == 0 && tally.Other == 0 ? XsfuzzApp.Ok : XsfuzzApp.Failed;
    }

    private static void Report(CliIo io, int dumpBytes, Tally t, int hangs, TimeSpan elapsed)
    {
        io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dump {dumpBytes} bytes; {t.Done} mutations in {elapsed.TotalSeconds:F1} s"));
        io.Out.WriteLine($"rejected (RestoreException)      {t.Rejected}");
        io.Out.WriteLine($"restored, same state             {t.Same}");
        io.Out.WriteLine($"restored, SILENTLY different     {t.Silent} (of which snapshot text identical: {t.Invisible})");
        io.Out.WriteLine($"other exception                  {t.Other}");
        io.Out.WriteLine($"hangs                            {hangs}");
        if (t.FirstSilent is not null) io.Out.WriteLine("first silent change: " + t.FirstSilent);
        if (t.FirstOther is not null) io.Out.WriteLine("first other exception: " + t.FirstOther);
    }

    private static void Trials(Xenstored original, byte[] dump, int count, int seed, Tally tally)
    {
        var random = new Random(seed);
        var snapshot = StateSnapshot.Of(original).Text;
        for (var i = 0; i < count; i++)
        {
            var (mutated, what) = Mutate(dump, random);
            try
            {
                var restored = MigrationStream.Restore(mutated);
                // A restored daemon must be usable: render it, list it, serve a request.
                var text = StateSnapshot.Of(restored).Text;
                _ = restored.NodePaths().ToList();
                restored.Handle(Xenstored.Dom0, Packet.Request(Op.Directory, 1, 0, "/"));
                if (StateComparer.Same(original, restored)) tally.Same++;
                else
                {
                    tally.Silent++;
                    if (text == snapshot) tally.Invisible++;
                    tally.FirstSilent ??= $"trial {i}: {what}";
                }
            }
            catch (RestoreException)
            {
                tally.Rejected++;
            }
            catch (Exception e)
            {
                tally.Other++;
                tally.FirstOther ??= $"trial {i}: {what}: {e.GetType().Name}: {e.Message}";
            }
            Interlocked.Increment(ref tally.Done);
        }
    }

    /// <summary>One random change that really changes the bytes, and a description of it.</summary>
    private static (byte[] Bytes, string What) Mutate(byte[] dump, Random random)
    {
        while (true)
        {
            var at = random.Next(dump.Length);
            var (bytes, what) = random.Next(6) switch
            {
                0 => Flip(dump, at, random),
                1 => Overwrite(dump, at, random),
                2 => (Splice(dump, at, Math.Min(dump.Length - at, 1 + random.Next(16)), []), "delete"),
                3 => (Splice(dump, at, 0, RandomBytes(random, 1 + random.Next(16))), "insert"),
                4 => (Splice(dump, at, 0, dump.AsSpan(random.Next(dump.Length - 8), 8).ToArray()), "duplicate 8 bytes"),
                _ => (dump[..at], "truncate"),
            };
            if (!bytes.AsSpan().SequenceEqual(dump)) return (bytes, $"{what} at byte {at}");
        }
    }

    private static (byte[], string) Flip(byte[] dump, int at, Random random)
    {
        var bytes = (byte[])dump.Clone();
        bytes[at] ^= (byte)(1 << random.Next(8));
        return (bytes, "bit flip");
    }

    /// <summary>An integer-sized field overwritten with a boundary value or random bytes.</summary>
    private static (byte[], string) Overwrite(byte[] dump, int at, Random random)
    {
        var bytes = (byte[])dump.Clone();
        var width = Math.Min(dump.Length - at, random.Next(2) == 0 ? 4 : 8);
        var fill = random.Next(4) switch { 0 => (byte)0, 1 => (byte)0xff, 2 => (byte)0x7f, _ => (byte)random.Next(256) };
        for (var i = 0; i < width; i++) bytes[at + i] = random.Next(3) == 0 ? (byte)random.Next(256) : fill;
        return (bytes, $"overwrite {width} bytes");
    }

    private static byte[] Splice(byte[] dump, int at, int remove, byte[] insert) =>
        [.. dump.AsSpan(0, at), .. insert, .. dump.AsSpan(at + remove)];

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// A daemon with every kind of state the stream carries: nodes with perms and values, domains and
    /// their rings, socket connections, watches (relative and absolute), queued output, open
    /// transactions with writes, a pending live-update request.
    /// </summary>
    private static Xenstored SampleDaemon()
    {
        var daemon = new Xenstored();
        var a = daemon.OpenSocket();
        var b = daemon.OpenSocket();
        uint rid = 0;
        void Do(Xenstore.Domains.ConnectionId from, Op op, uint tx, params string[] args) =>
            daemon.Handle(from, Packet.Request(op, ++rid, tx, args));
        void Write(Xenstore.Domains.ConnectionId from, string path, string value, uint tx = 0) =>
            daemon.Handle(from, Packet.WriteRequest(++rid, tx, path, Latin1.Encode(value)));
        Do(a, Op.Introduce, 0, "3", "1003", "13");
        Do(a, Op.Introduce, 0, "5", "1005", "15");
        Do(a, Op.SetTarget, 0, "5", "3");
        for (var i = 0; i < 12; i++) Write(a, $"/local/domain/3/data/k{i}", $"value {i}\0bytes");
        Do(a, Op.SetPerms, 0, "/local/domain/3", "n3", "r5", "b0");
        Write(a, "/local/domain/5/device/vif/0/state", "4");
        Do(a, Op.Watch, 0, "/local/domain/3", "w-abs");
        Do(b, Op.Watch, 0, "@introduceDomain", "w-special");
        var dom3 = Xenstore.Domains.ConnectionId.Ring(3);
        Do(dom3, Op.Watch, 0, "data", "w-rel");
        Do(a, Op.TransactionStart, 0, "");
        Write(a, "/local/domain/3/data/tx", "in a transaction", tx: 1);
        Do(a, Op.Read, 1, "/local/domain/3/data/k1");
        Do(dom3, Op.TransactionStart, 0, "");
        Write(dom3, "data/tx3", "a guest's transaction", tx: 1);
        Write(b, "/local/domain/3/data/k2", "fires the watches");
        daemon.TakeOutput(a);
        return daemon;
    }
}
