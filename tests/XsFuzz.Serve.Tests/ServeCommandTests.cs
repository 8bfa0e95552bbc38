using System.Diagnostics;
using System.Net.Sockets;
using XsFuzz.Cli;
using XsFuzz.Serve.Tests.Support;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Wire;
using static XsFuzz.Serve.Tests.Support.Replies;

namespace XsFuzz.Serve.Tests;

/// <summary>`xsfuzz serve` itself: arguments, the socket path rules, signals, log lines.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _folder = TempFolder.Create();

    public void Dispose() => TempFolder.Delete(_folder);

    private static (int Code, string Out, string Err) RunInProcess(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = XsfuzzApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")] // as Ctrl-C sends it
    public void A_signal_stops_it_cleanly_and_removes_the_socket(string signal)
    {
        var socket = Path.Combine(_folder, "socket");
        using var server = StartProcess("serve", "--socket", socket);
        Assert.Equal($"xsfuzz serve: listening on {socket} (mode from the umask; every client is dom0; planted fault: none)", WaitForListening(server));
        using (var client = WireClient.Connect(socket))
        {
            AssertOk(client.Call(Op.Write, 0, "/cli/a", "1"), Op.Write, "OK\0");
            AssertOk(client.Call(Op.Read, 0, "/cli/a"), Op.Read, "1");
            using var second = WireClient.Connect(socket);
            AssertOk(second.Call(Op.Read, 0, "/cli/a"), Op.Read, "1");
            Assert.Equal(0, Kill(server.Id, signal));
            var stopped = server.WaitForExit(TimeSpan.FromSeconds(15));
            if (!stopped) server.Kill(); // a failed case leaves no server behind
            Assert.True(stopped, "xsfuzz serve did not stop on the signal");
        }

        var log = server.StandardError.ReadToEnd();
        Assert.Equal(0, server.ExitCode);
        Assert.False(File.Exists(socket), "the socket was left behind");
        Assert.Equal(["xsfuzz serve: A1 connected", "xsfuzz serve: A2 connected"], log.Split('\n')[..2]);
        Assert.Contains("xsfuzz serve: A1 disconnected (server stopping; 2 requests)", log, StringComparison.Ordinal);
        Assert.Contains("xsfuzz serve: A2 disconnected (server stopping; 1 request)", log, StringComparison.Ordinal);
        Assert.EndsWith($"xsfuzz serve: stopped; {socket} removed\n", log, StringComparison.Ordinal);
    }

    [Fact]
    public void One_line_is_logged_when_a_client_connects_and_one_when_it_goes()
    {
        using var served = ServedModel.Start();
        using (var client = served.Connect()) AssertOk(client.Call(Op.Read, 0, "/tool/xenstored"), Op.Read, XenstoredConfig.Debian.ToolXenstoredValue);
        Assert.True(served.Log.WaitFor("A1 disconnected", TimeSpan.FromSeconds(10)));

        Assert.Equal(["xsfuzz serve: A1 connected", "xsfuzz serve: A1 disconnected (end of stream; 1 request)"], served.Log.Lines.Skip(1));
    }

    [Fact]
    public void A_file_that_is_not_a_socket_is_refused_and_left_alone()
    {
        var path = Path.Combine(_folder, "data");
        File.WriteAllText(path, "precious");

        var (code, _, err) = RunInProcess("serve", "--socket", path);

        Assert.Equal(XsfuzzApp.Usage, code);
        Assert.Equal($"xsfuzz: '{path}' exists and is not a socket; refusing to replace it\n", err);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void A_socket_another_server_listens_on_is_refused()
    {
        using var served = ServedModel.Start();

        var (code, _, err) = RunInProcess("serve", "--socket", served.SocketPath);

        Assert.Equal(XsfuzzApp.Usage, code);
        Assert.Contains("is in use", err, StringComparison.Ordinal);
        using var client = served.Connect();
        AssertOk(client.Call(Op.Read, 0, "/tool/xenstored"), Op.Read, XenstoredConfig.Debian.ToolXenstoredValue);
    }

    [Fact]
    public async Task A_stale_socket_left_by_a_dead_server_is_replaced()
    {
        var path = Path.Combine(_folder, "socket");
        // .NET unlinks a socket file it bound when the socket is disposed, so leave one behind by
        // renaming it first: a socket file nobody listens on, as a killed server leaves.
        var bound = Path.Combine(_folder, "bound");
        using (var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            dead.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, path);
        }
        Assert.True(File.Exists(path));

        var log = new LogCapture();
        var server = new Serve.XenstoreServer(path, Xenstore.Migration.LiveUpdateFault.None, log);
        server.Listen();
        using var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        using (var client = WireClient.Connect(path))
            AssertOk(client.Call(Op.Write, 0, "/stale", "replaced"), Op.Write, "OK\0");
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(File.Exists(path));
    }

    [Theory]
    [InlineData("xsfuzz: unknown fault 'nope'", "serve", "--socket", "/tmp/xsfuzz-unused", "--fault", "nope")]
    [InlineData("xsfuzz: Option '--socket' is required.", "serve")]
    [InlineData("xsfuzz: cannot listen on '/nonexistent-folder/socket'", "serve", "--socket", "/nonexistent-folder/socket")]
    public void Bad_arguments_are_usage_errors(string message, params string[] args)
    {
        var (code, output, err) = RunInProcess(args);

        Assert.Equal(XsfuzzApp.Usage, code);
        Assert.Equal("", output);
        Assert.StartsWith(message, err, StringComparison.Ordinal);
    }

    [Fact]
    public void Planted_faults_are_named_as_in_the_other_commands()
    {
        using var served = ServedModel.Start();
        var (code, _, err) = RunInProcess("serve", "--socket", served.SocketPath, "--fault", "perm-entry-lost");
        Assert.Equal(XsfuzzApp.Usage, code); // the name is accepted; the path is what is refused
        Assert.Contains("is in use", err, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts xsfuzz with SIGINT and SIGTERM at their default handling, as from a terminal. A test run
    /// started in the background of a non-interactive shell (`nohup scripts/test.sh &`) passes SIGINT
    /// down ignored, .NET keeps an ignored SIGINT ignored, and the INT case would then wait in vain.
    /// </summary>
    private static Process StartProcess(params string[] args)
    {
        var dll = typeof(XsfuzzApp).Assembly.Location;
        var host = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var start = new ProcessStartInfo("env") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("--default-signal=INT,TERM");   // coreutils' env then execs the host: same pid
        start.ArgumentList.Add(host);
        start.ArgumentList.Add(dll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException("could not start xsfuzz");
    }

    /// <summary>Waits for the first log line (it comes once the socket listens) and returns it.</summary>
    private static string WaitForListening(Process server)
    {
        var line = server.StandardError.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(30)))
        {
            server.Kill();
            Assert.Fail("xsfuzz serve did not start listening within 30 s");
        }
        return line.Result ?? "(no output: " + server.StandardOutput.ReadToEnd() + ")";
    }

    /// <summary>Sends a signal (TERM, INT) with the shell's kill builtin; returns its exit code.</summary>
    private static int Kill(int pid, string signal)
    {
        using var kill = Process.Start("/bin/sh", ["-c", $"kill -s {signal} {pid.ToString(System.Globalization.CultureInfo.InvariantCulture)}"]);
        kill.WaitForExit();
        return kill.ExitCode;
    }
}
