using System.IO.Pipes;

namespace XsFuzz.Serve.Tests;

/// <summary>
/// The epoll wrapper: the layout of struct epoll_event (packed on x86-64) decides whether tokens and
/// events come back right, and the loop relies on level-triggered reports of only what it asked for.
/// </summary>
public class EpollTests
{
    private const ulong Token = 0xDEAD_BEEF_0000_0001; // both halves set: a misplaced data field shows

    [Fact]
    public void A_ready_descriptor_is_reported_with_its_token_while_it_is_registered_for_it()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var reader = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        var fd = (int)reader.SafePipeHandle.DangerousGetHandle();
        using var epoll = new Epoll(4);
        epoll.Register(fd, Epoll.In, Token);
        Assert.Equal(0, epoll.Wait(0));

        pipe.WriteByte(7);
        pipe.Flush();
        Assert.Equal(1, epoll.Wait(1000));
        Assert.Equal(Token, epoll.TokenAt(0));
        Assert.NotEqual(0u, epoll.EventsAt(0) & Epoll.In);
        // Level-triggered: unread, it is reported again.
        Assert.Equal(1, epoll.Wait(0));

        epoll.Change(fd, 0, Token);
        Assert.Equal(0, epoll.Wait(0));
        epoll.Change(fd, Epoll.In, Token + 1);
        Assert.Equal(1, epoll.Wait(0));
        Assert.Equal(Token + 1, epoll.TokenAt(0));

        epoll.Unregister(fd);
        Assert.Equal(0, epoll.Wait(0));
    }

    [Fact]
    public void Registering_a_descriptor_twice_is_an_IOException_naming_it()
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        var fd = (int)pipe.SafePipeHandle.DangerousGetHandle();
        using var epoll = new Epoll(4);
        epoll.Register(fd, Epoll.Out, Token);
        var error = Assert.Throws<IOException>(() => epoll.Register(fd, Epoll.Out, Token));
        Assert.Contains($"descriptor {fd}", error.Message);
    }
}
