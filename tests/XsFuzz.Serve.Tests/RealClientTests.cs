using XsFuzz.Serve.Tests.Support;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Wire;
using static XsFuzz.Serve.Tests.Support.XenstoreUtils;

namespace XsFuzz.Serve.Tests;

/// <summary>
/// Debian 12's own clients (xenstore-utils 4.17.7) against the served model. Every expected output
/// below is what the same command printed against Debian's real oxenstored (run through
/// ../shared/oracle), byte for byte.
/// </summary>
public sealed class RealClientTests : IDisposable
{
    private readonly ServedModel _served = ServedModel.Start();

    public void Dispose() => _served.Dispose();

    private Result Xs(string tool, params string[] args) => Run(_served.SocketPath, tool, args);

    private void Ok(string expectedOut, string tool, params string[] args)
    {
        var result = Xs(tool, args);
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited {result.ExitCode}: {result.Err}");
        Assert.Equal(expectedOut, result.Out);
        Assert.Equal("", result.Err);
    }

    [Fact]
    public void Write_read_list_chmod_ls_rm_work_as_on_oxenstored()
    {
        Ok("", "xenstore-write", "/t/a", "1", "/t/b", "two words", "/t/c/d", "deep");
        Ok("1\ntwo words\n", "xenstore-read", "/t/a", "/t/b");
        Ok("a\nb\nc\n", "xenstore-list", "/t");
        Ok("", "xenstore-chmod", "/t/a", "n0", "r5");
        Ok("", "xenstore-chmod", "-r", "/t/c", "b7");
        Ok("""
            a = "1"  . . . . . . . . . . . . . . . . . . . . . . . . . .  (n0,r5)
            b = "two words"  . . . . . . . . . . . . . . . . . . . . . .  (n0)
            c = "" . . . . . . . . . . . . . . . . . . . . . . . . . . .  (b7)
             d = "deep"  . . . . . . . . . . . . . . . . . . . . . . . .  (b7)

            """, "xenstore-ls", "-p", "/t");
        Ok("/t/a = \"1\"\n/t/b = \"two words\"\n/t/c = \"\"\n/t/c/d = \"deep\"\n", "xenstore-ls", "-f", "/t");
        Ok("", "xenstore-rm", "/t/b");
        Ok("a\nc\n", "xenstore-list", "/t");
        Ok("@introduceDomain\n@releaseDomain\nlocal\nt\ntool\n", "xenstore-list", "/");
        Ok("", "xenstore-exists", "/t/a");
    }

    [Fact]
    public void Failures_are_reported_as_on_oxenstored()
    {
        Assert.Equal(new Result(1, "", "xenstore-read: couldn't read path /missing\n"), Xs("xenstore-read", "/missing"));
        Assert.Equal(new Result(1, "", "xenstore-rm: could not remove path /missing/deeper\n"), Xs("xenstore-rm", "/missing/deeper"));
        Assert.Equal(new Result(1, "", ""), Xs("xenstore-exists", "/nothing/here"));
    }

    [Fact]
    public void Ls_p_shows_the_whole_fresh_tree()
    {
        var result = Xs("xenstore-ls", "-p");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n');
        Assert.Equal(
            [
                "@introduceDomain = \"\"  . . . . . . . . . . . . . . . . . . .  (n0)",
                "@releaseDomain = \"\"  . . . . . . . . . . . . . . . . . . . .  (n0)",
                "local = \"\" . . . . . . . . . . . . . . . . . . . . . . . . .  (n0)",
                "tool = \"\"  . . . . . . . . . . . . . . . . . . . . . . . . .  (n0)",
            ],
            lines[..4]);
        // /tool/xenstored holds the daemon's executable path, which differs between installs (the
        // oracle's is under its unpack folder), and so does the padding after it.
        Assert.StartsWith($" xenstored = \"{XenstoredConfig.Debian.ToolXenstoredValue}\"", lines[4], StringComparison.Ordinal);
        Assert.EndsWith("(n0)", lines[4], StringComparison.Ordinal);
        Assert.Equal([""], lines[5..]);
    }

    [Fact]
    public void Watch_n_2_sees_the_initial_event_and_a_write_from_another_client()
    {
        Ok("", "xenstore-write", "/w/x", "0");
        using var watcher = Start(_served.SocketPath, "xenstore-watch", "-n", "2", "/w");
        using var writer = _served.Connect();
        // The watch may not be registered yet when the first write lands, so write until it has seen
        // its two events and exits; it prints the initial event and the first write it saw.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!watcher.HasExited && DateTime.UtcNow < deadline)
        {
            Replies.AssertOk(writer.Call(Op.Write, 0, "/w/y", "1"), Op.Write, "OK\0");
            watcher.WaitForExit(50);
        }

        var result = Finish(watcher, TimeSpan.FromSeconds(5), "xenstore-watch -n 2 /w");
        Assert.Equal(new Result(0, "/w\n/w/y\n", ""), result);
    }
}
