using XsFuzz.Cli;
using XsFuzz.Serve.Tests.Support;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Serve.Tests;

/// <summary>`xsfuzz control`: the client for serve's live update that needs no Xen package.</summary>
public class ControlCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = XsfuzzApp.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Live_update_is_asked_until_OK_and_the_state_survives()
    {
        using var served = ServedModel.Start();
        using var client = served.Connect();
        Assert.Equal("OK\0", Latin1.Decode(client.Call(Op.Write, 0, "/kept", "value").Payload));
        var (code, output, err) = Run("control", "--socket", served.SocketPath, "live-update", "-s");
        Assert.Equal("", err);
        Assert.Equal(XsfuzzApp.Ok, code);
        Assert.Equal("OK\n", output);
        Assert.True(served.Log.WaitFor("live update 1: state dumped and restored", TimeSpan.FromSeconds(10)));
        Assert.Equal("value", Latin1.Decode(client.Call(Op.Read, 0, "/kept").Payload));
    }

    [Fact]
    public void Another_command_prints_the_answer_once()
    {
        using var served = ServedModel.Start();
        var (code, output, err) = Run("control", "--socket", served.SocketPath, "live-update", "-x");
        Assert.Equal(("", XsfuzzApp.Ok), (err, code));
        Assert.Equal("Unknown arguments: -x\n", output);
    }

    [Fact]
    public void A_socket_nobody_listens_on_is_a_usage_error()
    {
        var (code, _, err) = Run("control", "--socket", "/nonexistent-folder/socket", "live-update", "-s");
        Assert.Equal(XsfuzzApp.Usage, code);
        Assert.StartsWith("xsfuzz: cannot connect to '/nonexistent-folder/socket'", err);
    }
}
