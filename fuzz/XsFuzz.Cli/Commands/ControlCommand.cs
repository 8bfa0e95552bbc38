using System.Buffers.Binary;
using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz control --socket PATH COMMAND [ARG...]`: one CONTROL request to a xenstore daemon's socket,
/// like Debian's xenstore-control, with nothing to install. `live-update -s` is repeated while the
/// daemon answers BUSY (as xenstore-control does), until OK or --timeout. Prints the daemon's answer;
/// exit 0 when it is not an error (and, for live-update -s, when it is OK), 1 otherwise.
/// </summary>
internal static class ControlCommand
{
    public static Command Create(CliIo io)
    {
        var socket = new Option<string>("--socket") { Description = "the daemon's Unix socket (e.g. the one of xsfuzz serve)", Required = true, HelpName = "PATH" };
        var timeout = new Option<int>("--timeout") { Description = "seconds to keep asking while live-update -s answers BUSY", DefaultValueFactory = _ => 60, HelpName = "SECONDS" };
        var words = new Argument<string[]>(ParseErrors.PassThroughArgument) { Description = "the CONTROL command and its arguments, e.g. live-update -s", Arity = ArgumentArity.OneOrMore, HelpName = "COMMAND" };
        var command = new Command("control", "send a CONTROL request (e.g. live-update -s) to a xenstore daemon's socket") { socket, timeout, words };
        command.SetAction(parse =>
        {
            var seconds = parse.GetValue(timeout);
            if (seconds is < 1 or > 86_400) throw new UsageException("--timeout must be between 1 and 86400 seconds");
            return Run(io, parse.GetValue(socket)!, parse.GetValue(words)!, TimeSpan.FromSeconds(seconds));
        });
        return command;
    }

    private static int Run(CliIo io, string path, string[] words, TimeSpan timeout)
    {
        using var connection = Connect(path);
        var retry = words.Length >= 2 && words[0] == "live-update" && words.Contains("-s");
        var deadline = DateTime.UtcNow + timeout;
        uint rid = 0;
        while (true)
        {
            var reply = Call(connection, path, Packet.Request(Op.Control, ++rid, 0, words), timeout);
            var text = Latin1.Decode(reply.Payload).TrimEnd('\0');
            if (reply.Type == (uint)Op.Error)
            {
                io.Err.WriteLine($"xsfuzz: control: the daemon answered {text}");
                return XsfuzzApp.Failed;
            }
            if (retry && text == "BUSY" && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
                continue;
            }
            io.Out.WriteLine(text);
            return !retry || text == "OK" ? XsfuzzApp.Ok : XsfuzzApp.Failed;
        }
    }

    private static Socket Connect(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            socket.Dispose();
            throw new UsageException($"cannot connect to '{path}': {e.Message}");
        }
    }

    /// <summary>Sends the request and returns the reply with its request id (watch events are skipped).</summary>
    private static Packet Call(Socket socket, string path, Packet request, TimeSpan timeout)
    {
        socket.ReceiveTimeout = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds);
        try
        {
            socket.Send(request.ToBytes());
            while (true)
            {
                var header = Receive(socket, Packet.HeaderSize);
                var length = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
                if (length > 1 << 20) throw new UsageException($"'{path}' sent a packet of {length} bytes: not a xenstore daemon?");
                var reply = new Packet(BinaryPrimitives.ReadUInt32LittleEndian(header), BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)),
                    BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)), Receive(socket, (int)length));
                if (reply.Type != (uint)Op.WatchEvent && reply.RequestId == request.RequestId) return reply;
            }
        }
        catch (SocketException e)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"no answer from '{path}': {e.Message}"));
        }
    }

    private static byte[] Receive(Socket socket, int count)
    {
        var bytes = new byte[count];
        for (var at = 0; at < count;)
        {
            var n = socket.Receive(bytes, at, count - at, SocketFlags.None);
            if (n == 0) throw new SocketException((int)SocketError.ConnectionReset);
            at += n;
        }
        return bytes;
    }
}
