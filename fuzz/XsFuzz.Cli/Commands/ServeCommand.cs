using System.CommandLine;
using System.Runtime.InteropServices;
using XsFuzz.Serve;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz serve --socket PATH [--mode OCTAL] [--fault NAME] [--config NAME|FILE]`: the model as a xenstore daemon on a
/// Unix socket, for real clients (XENSTORED_PATH=PATH xenstore-ls). Every client of the socket is dom0,
/// so --mode (default: from the umask) decides who may use it. Runs until Ctrl-C or SIGTERM, then
/// removes the socket and exits 0. A path that is in use (its PATH.lock held by another server, or a
/// live socket) or is not a socket is refused (exit 2).
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliIo io)
    {
        var socket = new Option<string>("--socket") { Description = "the Unix socket to listen on (a stale socket there is replaced)", Required = true, HelpName = "PATH" };
        var mode = new Option<string?>("--mode") { Description = "the socket's permissions in octal, e.g. 0600 (default: from the umask); every client is dom0", HelpName = "OCTAL" };
        var fault = CommonOptions.Fault();
        var config = CommonOptions.Config();
        var command = new Command("serve", "serve the model as a xenstore daemon on a Unix socket until Ctrl-C or SIGTERM")
        {
            socket, mode, fault, config,
        };
        command.SetAction(parse => Run(io, parse.GetValue(socket)!, ParseMode(parse.GetValue(mode)), CommonOptions.ParseFault(parse.GetValue(fault)),
            CommonOptions.ParseConfig(parse.GetValue(config))));
        return command;
    }

    /// <summary>An octal mode of at most 0777 (no set-id or sticky bits on a socket), or null.</summary>
    private static UnixFileMode? ParseMode(string? text)
    {
        if (text is null) return null;
        var digits = text.StartsWith('0') && text.Length > 1 ? text[1..] : text;
        if (digits.Length is 0 or > 3 || digits.Any(c => c is < '0' or > '7'))
            throw new UsageException($"--mode: '{text}' is not an octal mode between 0000 and 0777");
        return (UnixFileMode)Convert.ToInt32(digits, 8);
    }

    private static int Run(CliIo io, string path, UnixFileMode? mode, Xenstore.Migration.LiveUpdateFault fault, Xenstore.NamedConfig? config)
    {
        var server = new XenstoreServer(path, fault, io.Err, mode, config);
        try
        {
            server.Listen();
        }
        catch (ServeException e)
        {
            throw new UsageException(e.Message);
        }
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // stop cleanly instead of being killed, so the socket gets removed
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        server.RunAsync(stop.Token).GetAwaiter().GetResult();
        return XsfuzzApp.Ok;
    }
}
