using System.Buffers.Binary;
using System.Net.Sockets;
using XsFuzz.Harness.Running;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Real.Tests;

/// <summary>
/// How a side's daemon is started and stopped, against an in-process stand-in (no sandbox): what keeps
/// the maps of `xsfuzz afl --daemon` the same from run to run of one input.
/// </summary>
public class SideLifecycleTests
{
    private static readonly SandboxLayout NoSandbox = new("unused", "unused", "unused", "unused", "unused");

    [Fact]
    public void A_side_kills_its_daemon_before_it_closes_the_connections()
    {
        var daemon = new EchoDaemon();
        var target = RealTarget.Start("A", NoSandbox, DaemonKind.Xenstored, RunSettings.Default, start: () => daemon);
        Assert.Equal(4, daemon.Accepted);
        target.Dispose();
        // Closed first, a real daemon tears the connections down (or not, as the kill comes sooner or later).
        Assert.Equal(0, daemon.ClosedBeforeDispose);
    }

    [Fact]
    public void Sides_started_in_turn_do_not_overlap()
    {
        // A's daemon waits for B's to be asked for: started at once, B's would be, as soon as the thread
        // pool gives B a thread (measured: 0.3 to over 0.5 s in a fresh test process on 2 busy cores).
        using var bAsked = new ManualResetEventSlim();
        var overlapped = false;
        IDaemon StartA()
        {
            overlapped = bAsked.Wait(TimeSpan.FromSeconds(2));
            return new EchoDaemon();
        }
        IDaemon StartB()
        {
            bAsked.Set();
            return new EchoDaemon();
        }
        var settings = RunSettings.Default with { StartSidesInParallel = false };
        var runner = new ScenarioRunner(NoSandbox, new RunDescription(PairMode.LiveUpdate, DaemonKind.Xenstored), settings,
            daemonA: StartA, daemonB: StartB);
        var outcome = runner.Execute(new Scenario(ValueList<DomainSetup>.Empty, ValueList<NodeSetup>.Empty, ValueList<Command>.Empty));
        Assert.Null(outcome.Divergence);
        // SharpFuzz's previous location is one static for all threads: two sides' instrumented code on two
        // threads at once would write edges that depend on the interleaving.
        Assert.False(overlapped);
        Assert.True(bAsked.IsSet);
    }

    /// <summary>
    /// A daemon stand-in on a Unix socket in a temp folder: answers every request with an empty reply of
    /// the same type and id (an empty tree to a walk), and on Dispose records how many of its connections
    /// the client had closed by then.
    /// </summary>
    private sealed class EchoDaemon : IDaemon
    {
        private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        private readonly List<Socket> _connections = [];
        private readonly List<Thread> _threads = [];
        private readonly Thread _acceptor;
        private bool _disposed;

        public EchoDaemon()
        {
            RunFolder = Directory.CreateTempSubdirectory("xsfuzz-echo-").FullName;
            _listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(RunFolder, "socket")));
            _listener.Listen(8);
            Exit = ExitWatch.Of(Environment.ProcessId);
            _acceptor = new Thread(Accept) { IsBackground = true };
            _acceptor.Start();
        }

        public int Accepted
        {
            get { lock (_connections) return _connections.Count; }
        }

        public int ClosedBeforeDispose { get; private set; } = -1;

        public DaemonKind Kind => DaemonKind.Xenstored;
        public string RunFolder { get; }
        public int Pid => Environment.ProcessId;
        public bool IsRunning => !_disposed;
        public ExitWatch Exit { get; }
        public string? DeathNote(TimeSpan grace) => null;
        public string OutputTail(int lines = 15) => "";

        private void Accept()
        {
            while (true)
            {
                Socket connection;
                try { connection = _listener.Accept(); }
                catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
                var thread = new Thread(() => Serve(connection)) { IsBackground = true };
                lock (_connections)
                {
                    _connections.Add(connection);
                    _threads.Add(thread);
                }
                thread.Start();
            }
        }

        private static void Serve(Socket connection)
        {
            var header = new byte[Packet.HeaderSize];
            try
            {
                while (Fill(connection, header))
                {
                    var payload = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12))];
                    if (!Fill(connection, payload)) return;
                    var reply = new Packet(BinaryPrimitives.ReadUInt32LittleEndian(header), BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)), 0, []);
                    connection.Send(reply.ToBytes());
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }

        private static bool Fill(Socket connection, byte[] buffer)
        {
            for (var got = 0; got < buffer.Length;)
            {
                var n = connection.Receive(buffer, got, buffer.Length - got, SocketFlags.None);
                if (n == 0) return false;
                got += n;
            }
            return true;
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            lock (_connections)
            {
                // A peer's close is seen at once on a Unix socket: readable, with nothing to read.
                ClosedBeforeDispose = _connections.Count(c => c.Poll(0, SelectMode.SelectRead) && c.Available == 0);
                foreach (var c in _connections) c.Dispose();
            }
            _listener.Dispose();
            _acceptor.Join();
            foreach (var t in _threads) t.Join();
            Exit.Dispose();
            Directory.Delete(RunFolder, recursive: true);
        }
    }
}
