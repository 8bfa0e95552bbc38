using System.CommandLine;
using System.Runtime.InteropServices;
using XsFuzz.Serve;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz serve --socket PATH [--fault NAME]`: the model as a xenstore daemon on a Unix socket, for
/// real clients (XENSTORED_PATH=PATH xenstore-ls). Runs until Ctrl-C or SIGTERM, then removes the
/// socket and exits 0. A path that is in use or is not a socket is refused (exit 2).
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliIo io)
    {
        var socket = new Option<string>("--socket") { Description = "the Unix socket to listen on (a stale socket there is replaced)", Required = true, HelpName = "PATH" };
        var fault = CommonOptions.Fault();
        var command = new Command("serve", "serve the model as a xenstore daemon on a Unix socket until Ctrl-C or SIGTERM")
        {
            socket, fault,
        };
        command.SetAction(parse => Run(io, parse.GetValue(socket)!, CommonOptions.ParseFault(parse.GetValue(fault))));
        return command;
    }

    private static int Run(CliIo io, string path, Xenstore.Migration.LiveUpdateFault fault)
    {
        var server = new XenstoreServer(path, fault, io.Err);
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
