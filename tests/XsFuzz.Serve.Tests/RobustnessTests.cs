using System.Net.Sockets;
using XsFuzz.Serve.Tests.Support;
using XsFuzz.Xenstore.Wire;
using static XsFuzz.Serve.Tests.Support.Replies;

namespace XsFuzz.Serve.Tests;

/// <summary>
/// Clients that misbehave (garbage, closing mid-packet, never reading) or crowd in (50 at once with
/// transactions): the server stays up and every other client keeps getting the right replies.
/// </summary>
public sealed class RobustnessTests : IDisposable
{
    private readonly ServedModel _served = ServedModel.Start();

    public void Dispose() => _served.Dispose();

    /// <summary>A well-behaved client's view: its own node still holds what it wrote, and new writes work.</summary>
    private void AssertHealthy(WireClient checker, string path, string expected)
    {
        Assert.True(_served.IsRunning, "the server stopped");
        AssertOk(checker.Call(Op.Read, 0, path), Op.Read, expected);
        AssertOk(checker.Call(Op.Write, 0, path + "-next", "after"), Op.Write, "OK\0");
        AssertOk(checker.Call(Op.Read, 0, path + "-next"), Op.Read, "after");
        using var fresh = _served.Connect();
        AssertOk(fresh.Call(Op.Read, 0, path), Op.Read, expected);
    }

    [Fact]
    public async Task Random_bytes_from_one_client_do_not_disturb_the_others()
    {
        using var checker = _served.Connect();
        AssertOk(checker.Call(Op.Write, 0, "/robust/checker", "v0"), Op.Write, "OK\0");
        var random = new Random(1);

        // Pure noise (mostly headers with huge lengths, clamped to 4096), then noise shaped like
        // requests: any op number, small lengths, random payloads. Sent in random-sized pieces while
        // another thread swallows whatever the server answers.
        var noise = new byte[256 * 1024];
        random.NextBytes(noise);
        var shaped = new List<byte>();
        for (var i = 0; i < 3000; i++)
        {
            var payload = new byte[random.Next(0, 40)];
            random.NextBytes(payload);
            var header = new byte[Packet.HeaderSize];
            Packet.WriteHeader(header, (uint)random.Next(0, 26), (uint)i, (uint)random.Next(0, 3), (uint)payload.Length);
            shaped.AddRange(header);
            shaped.AddRange(payload);
        }
        using (var garbage = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            garbage.Connect(new UnixDomainSocketEndPoint(_served.SocketPath));
            var swallow = Task.Run(() =>
            {
                var sink = new byte[65536];
                try { while (garbage.Receive(sink) > 0) { } }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
            });
            byte[] all = [.. noise, .. shaped];
            for (var at = 0; at < all.Length;)
            {
                var size = Math.Min(random.Next(1, 5000), all.Length - at);
                garbage.Send(all.AsSpan(at, size));
                at += size;
            }
            garbage.Shutdown(SocketShutdown.Send);
            await swallow.WaitAsync(TimeSpan.FromSeconds(20)); // throws TimeoutException if never closed
        }

        AssertHealthy(checker, "/robust/checker", "v0");
        Assert.Contains(_served.Log.Lines, l => l.Contains("A2 disconnected", StringComparison.Ordinal));
    }

    [Fact]
    public void Clients_closing_mid_packet_do_not_disturb_the_others()
    {
        using var checker = _served.Connect();
        AssertOk(checker.Call(Op.Write, 0, "/robust/checker", "v1"), Op.Write, "OK\0");
        var write = Packet.WriteRequest(7, 0, "/robust/never", "x"u8).ToBytes();

        // Half a header; a header and half its payload; a whole request left unread; a zero-length
        // packet nobody released; an open transaction with a write in it, then a reset.
        byte[][] leftovers = [write[..9], write[..20], write, new Packet((uint)Op.TransactionStart, 1, 0, []).ToBytes()];
        foreach (var bytes in leftovers)
        {
            using var quitter = _served.Connect();
            quitter.SendRaw(bytes);
        }
        using (var quitter = _served.Connect())
        {
            var tx = uint.Parse(Text(quitter.Call(Op.TransactionStart, 0, "")).TrimEnd('\0'), System.Globalization.CultureInfo.InvariantCulture);
            AssertOk(quitter.Call(Op.Write, tx, "/robust/in-tx", "lost"), Op.Write, "OK\0");
            quitter.SendRaw(write[..5]);
        }
        using (var resetter = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            resetter.Connect(new UnixDomainSocketEndPoint(_served.SocketPath));
            resetter.LingerState = new LingerOption(true, 0);
            resetter.Send(write[..30]);
        }

        foreach (var quitter in new[] { "A2", "A3", "A4", "A5", "A6", "A7" })
            Assert.True(_served.Log.WaitFor(quitter + " disconnected", TimeSpan.FromSeconds(10)), _served.Log.Text);
        AssertHealthy(checker, "/robust/checker", "v1");
        AssertOk(checker.Call(Op.Read, 0, "/robust/never"), Op.Read, "x"); // the whole request was processed
        AssertError(checker.Call(Op.Read, 0, "/robust/in-tx"), "ENOENT"); // its transaction died with it
        Assert.Contains(_served.Log.Lines, l => l.Contains("end of stream in the middle of a packet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fifty_concurrent_clients_doing_transactions_get_correct_replies()
    {
        const int Clients = 50, Rounds = 10;
        using (var setup = _served.Connect())
        {
            AssertOk(setup.Call(Op.Write, 0, "/conc/counter", "0"), Op.Write, "OK\0");
            for (var i = 0; i < Clients; i++) AssertOk(setup.Call(Op.Mkdir, 0, $"/conc/own/{i}"), Op.Mkdir, "OK\0");
        }

        // Even clients commit transactions in their own subtree (never a conflict); odd ones all
        // increment one counter and retry on EAGAIN. Every reply is checked as it comes.
        var committed = new int[Clients];
        // Each client blocks on its socket, so each gets a thread of its own rather than a pool thread.
        var clients = Enumerable.Range(0, Clients).Select(i => Task.Factory.StartNew(() =>
        {
            using var client = _served.Connect();
            for (var round = 0; round < Rounds; round++)
            {
                if (i % 2 == 0) OwnTransaction(client, i, round);
                else committed[i] += IncrementCounter(client);
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        // Meanwhile, troublemakers: clients that send noise or hang up in the middle of a packet.
        using var done = new CancellationTokenSource();
        var trouble = Task.Factory.StartNew(() => MakeTrouble(done.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(120));
        done.Cancel();
        var troublemakers = await trouble.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(troublemakers > 0);

        using var checker = _served.Connect();
        AssertOk(checker.Call(Op.Read, 0, "/conc/counter"), Op.Read, (Clients / 2 * Rounds).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(Clients / 2 * Rounds, committed.Sum());
        for (var i = 0; i < Clients; i += 2)
        {
            var expected = string.Concat(Enumerable.Range(0, Rounds).Select(r => $"r{r}\0").Order(StringComparer.Ordinal));
            AssertOk(checker.Call(Op.Directory, 0, $"/conc/own/{i}"), Op.Directory, expected);
        }
        Assert.True(_served.IsRunning);
    }

    /// <summary>Connects, sends a few KB of noise or a cut-off request, hangs up; again until cancelled.</summary>
    private int MakeTrouble(CancellationToken stop)
    {
        var random = new Random(7);
        var cut = Packet.WriteRequest(1, 0, "/conc/trouble", new byte[100]).ToBytes();
        var count = 0;
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(_served.SocketPath));
            var noise = new byte[random.Next(1, 8192)];
            random.NextBytes(noise);
            socket.Send(count % 2 == 0 ? noise : cut.AsSpan(0, random.Next(1, cut.Length)));
            count++;
            Thread.Sleep(5);
        }
        return count;
    }

    private static uint Start(WireClient client)
    {
        var reply = client.Call(Op.TransactionStart, 0, "");
        Assert.True(reply.Op == Op.TransactionStart, $"TRANSACTION_START answered {reply}");
        return uint.Parse(Text(reply).TrimEnd('\0'), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void OwnTransaction(WireClient client, int i, int round)
    {
        var tx = Start(client);
        var path = $"/conc/own/{i}/r{round}";
        AssertOk(client.Call(Op.Write, tx, path, $"{i}.{round}"), Op.Write, "OK\0");
        AssertOk(client.Call(Op.Read, tx, path), Op.Read, $"{i}.{round}");
        AssertError(client.Call(Op.Read, 0, path), "ENOENT"); // not visible outside before the commit
        AssertOk(client.Call(Op.TransactionEnd, tx, "T"), Op.TransactionEnd, "OK\0");
        AssertOk(client.Call(Op.Read, 0, path), Op.Read, $"{i}.{round}");
    }

    /// <summary>One increment of the shared counter; returns 1 once it commits (after any EAGAIN retries).</summary>
    private static int IncrementCounter(WireClient client)
    {
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            var tx = Start(client);
            var value = int.Parse(Text(client.Call(Op.Read, tx, "/conc/counter")), System.Globalization.CultureInfo.InvariantCulture);
            AssertOk(client.Call(Op.Write, tx, "/conc/counter", (value + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), Op.Write, "OK\0");
            var end = client.Call(Op.TransactionEnd, tx, "T");
            if (end.Op == Op.TransactionEnd)
            {
                AssertOk(end, Op.TransactionEnd, "OK\0");
                return 1;
            }
            AssertError(end, "EAGAIN");
        }
        Assert.Fail("no commit after 10000 attempts");
        return 0;
    }

    [Fact]
    public async Task A_client_that_never_reads_does_not_stall_the_others()
    {
        using var checker = _served.Connect();
        AssertOk(checker.Call(Op.Write, 0, "/robust/big", new string('b', 2000)), Op.Write, "OK\0");

        // 20 MB of replies it never reads: the server stops reading it (1024 replies outstanding),
        // as oxenstored does, but keeps serving everybody else.
        using var hog = _served.Connect();
        var request = Packet.Request(Op.Read, 1, 0, "/robust/big").ToBytes();
        var flood = Enumerable.Repeat(request, 10_000).SelectMany(b => b).ToArray();
        var sending = Task.Run(() =>
        {
            try { hog.SendRaw(flood); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        });

        for (var i = 0; i < 200; i++)
            AssertOk(checker.Call(Op.Read, 0, "/robust/big"), Op.Read, new string('b', 2000));
        AssertHealthy(checker, "/robust/big", new string('b', 2000));
        hog.Dispose();
        await sending.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Packets_several_to_a_write_or_split_across_writes_are_answered_in_order()
    {
        using var client = _served.Connect();
        byte[] three = [.. Packet.WriteRequest(1, 0, "/p", "v"u8).ToBytes(), .. Packet.Request(Op.Read, 2, 0, "/p").ToBytes(),
            .. Packet.Request(Op.Read, 3, 0, "/p").ToBytes()];

        client.SendRaw(three.AsSpan(0, three.Length - 12)); // the last one stops inside its header
        Assert.Equal(new Packet((uint)Op.Write, 1, 0, "OK\0"u8), client.Receive(WireClient.DefaultTimeout));
        Assert.Equal(new Packet((uint)Op.Read, 2, 0, "v"u8), client.Receive(WireClient.DefaultTimeout));
        Assert.True(client.Silent(TimeSpan.FromMilliseconds(100)));
        client.SendRaw(three.AsSpan(three.Length - 12, 5));
        Assert.True(client.Silent(TimeSpan.FromMilliseconds(100)));
        client.SendRaw(three.AsSpan(three.Length - 7));

        Assert.Equal(new Packet((uint)Op.Read, 3, 0, "v"u8), client.Receive(WireClient.DefaultTimeout));
    }

    [Fact]
    public void A_zero_length_packet_waits_for_more_bytes_as_on_oxenstored()
    {
        using var client = _served.Connect();
        client.Send(new Packet((uint)Op.ResetWatches, 1, 0, []));
        Assert.True(client.Silent(TimeSpan.FromMilliseconds(300)), "a zero-length packet was answered before more bytes came");

        client.Send(Packet.Request(Op.Read, 2, 0, "/tool"));

        Assert.Equal(new Packet((uint)Op.ResetWatches, 1, 0, "OK\0"u8), client.Receive(WireClient.DefaultTimeout));
        Assert.Equal(new Packet((uint)Op.Read, 2, 0, []), client.Receive(WireClient.DefaultTimeout));
    }

    [Fact]
    public void An_oversize_packet_is_clamped_and_desynchronises_the_stream_without_a_disconnect()
    {
        using var client = _served.Connect();
        var payload = new byte[5000];
        "/big\0"u8.CopyTo(payload);
        payload.AsSpan(5).Fill((byte)'A');
        var header = new byte[Packet.HeaderSize];
        Packet.WriteHeader(header, (uint)Op.Write, 8, 0, 5000);

        client.SendRaw([.. header, .. payload]);
        // The first 4096 bytes are a WRITE of 4091 bytes: over quota-maxsize 2048.
        Assert.Equal(new Packet((uint)Op.Error, 8, 0, "E2BIG\0"u8), client.Receive(WireClient.DefaultTimeout));

        // The 904 'A's left start a packet of type/rid/tx 0x41414141 that swallows the next 3208 bytes.
        client.SendRaw([.. Enumerable.Repeat((byte)'B', 4096), .. Packet.Request(Op.Read, 9, 0, "/big").ToBytes()]);
        Assert.Equal(new Packet((uint)Op.Error, 0x41414141, 0x41414141, "EIO\0"u8), client.Receive(WireClient.DefaultTimeout));
        Assert.True(client.Silent(TimeSpan.FromMilliseconds(200)));
        Assert.True(_served.IsRunning);
    }
}
