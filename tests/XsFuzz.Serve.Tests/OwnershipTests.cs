using System.Net.Sockets;
using XsFuzz.Serve.Tests.Support;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Serve.Tests;

/// <summary>One server per socket path (its PATH.lock), and a server removes only the socket it bound.</summary>
public sealed class OwnershipTests : IDisposable
{
    private readonly string _folder = TempFolder.Create();

    public void Dispose() => TempFolder.Delete(_folder);

    [Fact]
    public async Task Of_servers_started_together_on_a_stale_socket_exactly_one_listens()
    {
        var path = Path.Combine(_folder, "socket");
        for (var round = 0; round < 10; round++)
        {
            // A stale socket: bound, nobody listening (its owner died). Disposed only at the end of the
            // round, because .NET unlinks the path of a socket it bound when disposing it.
            var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            stale.Bind(new UnixDomainSocketEndPoint(path));
            var servers = Enumerable.Range(0, 6).Select(_ => new XenstoreServer(path, LiveUpdateFault.None, TextWriter.Null)).ToList();
            var start = new Barrier(servers.Count);
            var outcomes = servers.AsParallel().WithDegreeOfParallelism(servers.Count).Select(server =>
            {
                start.SignalAndWait();
                try
                {
                    server.Listen();
                    return (Server: server, Error: (string?)null);
                }
                catch (ServeException e)
                {
                    return (Server: server, Error: e.Message);
                }
            }).ToList();
            var winners = outcomes.Where(o => o.Error is null).ToList();
            Assert.Single(winners);
            Assert.All(outcomes.Where(o => o.Error is not null), o => Assert.Contains("in use", o.Error));
            // The winner serves, then stops and removes its socket.
            using var stop = new CancellationTokenSource();
            var run = winners[0].Server.RunAsync(stop.Token);
            using (var client = WireClient.Connect(path)) client.Call(Xenstore.Wire.Op.Read, 0, "/tool/xenstored");
            stop.Cancel();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.False(File.Exists(path));
            stale.Dispose();
        }
    }

    [Fact]
    public void Stopping_leaves_a_socket_it_did_not_bind()
    {
        var path = Path.Combine(_folder, "socket");
        using var served = new StoppableServer(path);
        // Someone removes the server's socket and binds their own at the path.
        File.Delete(path);
        using var other = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        other.Bind(new UnixDomainSocketEndPoint(path));
        served.Stop();
        Assert.True(File.Exists(path), "the server removed a socket it did not create");
    }

    [Fact]
    public void Mode_sets_the_socket_permissions()
    {
        var path = Path.Combine(_folder, "socket");
        using var served = new StoppableServer(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    private sealed class StoppableServer : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public StoppableServer(string path, UnixFileMode? mode = null)
        {
            var server = new XenstoreServer(path, LiveUpdateFault.None, TextWriter.Null, mode);
            server.Listen();
            _run = server.RunAsync(_stop.Token);
        }

        public void Stop()
        {
            _stop.Cancel();
            Assert.True(_run.Wait(TimeSpan.FromSeconds(10)), "the server did not stop");
        }

        public void Dispose()
        {
            if (!_run.IsCompleted) Stop();
            _stop.Dispose();
        }
    }
}
