using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz bench-live-update`: dump size and dump/restore time of a model daemon holding N nodes and
/// some open transactions (each with its own write, so its private tree differs from the live one).
/// </summary>
internal static class BenchLiveUpdateCommand
{
    public static Command Create(CliIo io)
    {
        var nodes = new Option<string>("--nodes") { Description = "tree sizes, comma-separated", DefaultValueFactory = _ => "1000,10000" };
        var transactions = new Option<int>("--transactions") { Description = "open transactions", DefaultValueFactory = _ => 10 };
        var repeat = new Option<int>("--repeat") { Description = "timed repetitions per size (the median is shown)", DefaultValueFactory = _ => 21 };
        var command = new Command("bench-live-update", "measure live-update dump size and time") { nodes, transactions, repeat };
        command.SetAction(parse =>
        {
            var sizes = ParseSizes(parse.GetValue(nodes)!);
            var open = parse.GetValue(transactions);
            var runs = parse.GetValue(repeat);
            if (open is < 0 or > 1000 || runs is < 1 or > 10_000) throw new UsageException("--transactions 0..1000, --repeat 1..10000");
            io.Out.WriteLine("nodes   open-tx  dump-bytes  dump-ms  restore-ms");
            foreach (var size in sizes)
            {
                var daemon = Build(size, open);
                var (bytes, dumpMs, restoreMs) = Measure(daemon, runs);
                io.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{daemon.NodePaths().Count,-7} {open,-8} {bytes,-11} {dumpMs,-8:F2} {restoreMs:F2}"));
            }
            return XsfuzzApp.Ok;
        });
        return command;
    }

    private static List<int> ParseSizes(string text)
    {
        var sizes = new List<int>();
        foreach (var part in text.Split(','))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > 1_000_000)
                throw new UsageException($"--nodes: '{part}' is not a size between 1 and 1000000");
            sizes.Add(n);
        }
        return sizes;
    }

    /// <summary>N nodes in directories of 100, written by a socket; then the open transactions.</summary>
    private static Xenstored Build(int nodes, int transactions)
    {
        var daemon = new Xenstored();
        var socket = daemon.OpenSocket();
        uint rid = 0;
        for (var i = 0; i < nodes && (i % 100 != 0 || daemon.NodePaths().Count < nodes); i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"/bench/d{i / 100}/n{i}");
            daemon.Handle(socket, Packet.WriteRequest(++rid, 0, path, "a value of moderate length"u8));
        }
        for (uint t = 1; t <= transactions; t++)
        {
            daemon.Handle(socket, Packet.Request(Op.TransactionStart, ++rid, 0, ""));
            daemon.Handle(socket, Packet.WriteRequest(++rid, t, $"/bench/d0/tx{t}", "written in a transaction"u8));
        }
        daemon.TakeOutput(socket);
        return daemon;
    }

    private static (int Bytes, double DumpMs, double RestoreMs) Measure(Xenstored daemon, int runs)
    {
        var dump = MigrationStream.DumpToBytes(daemon); // warm up both paths once
        MigrationStream.Restore(dump);
        var dumps = new List<double>(runs);
        var restores = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            dump = MigrationStream.DumpToBytes(daemon);
            dumps.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            MigrationStream.Restore(dump);
            restores.Add(clock.Elapsed.TotalMilliseconds);
        }
        return (dump.Length, Median(dumps), Median(restores));
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
