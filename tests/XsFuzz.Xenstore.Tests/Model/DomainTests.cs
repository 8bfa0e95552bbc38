using XsFuzz.Xenstore.Wire;
using static XsFuzz.Xenstore.Tests.Model.Session;

namespace XsFuzz.Xenstore.Tests.Model;

/// <summary>Spec §8.8 and §10 [V] examples.</summary>
public class DomainTests
{
    [Fact]
    public void Introduce_examples_of_spec_8_8()
    {
        var s = new Session();
        s.Do(s.A, Op.Watch, "@introduceDomain", "itok");
        s.Take(s.A);
        Assert.Equal(Event("@introduceDomain", "itok") + " | " + Ok("INTRODUCE"), s.Do(s.A, Op.Introduce, "1", "1001", "11"));
        Assert.Equal(Ok("INTRODUCE"), s.Do(s.A, Op.Introduce, "1", "1001", "11"));
        Assert.Equal(Err("EINVAL"), s.Do(s.A, Op.Introduce, "1", "9999", "11"));
        Assert.Equal(Ok("INTRODUCE"), s.Do(s.A, Op.Introduce, "1", "1001", "12")); // same mfn, new port: re-bound
        Assert.Equal(Err("EIO"), s.Do(s.A, Op.Introduce, "3", "abc", "13"));
        Assert.Equal(Err("EINVAL"), s.Do(s.A, Op.Introduce, "3", "1003", "xx"));
        Assert.Equal(Err("EINVAL"), s.Do(s.A, Op.Introduce, "3", "1003"));
        Assert.Equal(Err("EACCES"), s.Do(D(1), Op.Introduce, "5", "1005", "15"));
        Assert.Equal(Err("EACCES"), s.Do(D(1), Op.IsDomainIntroduced, "1"));
        Assert.Equal("GET_DOMAIN_PATH \"/local/domain/7\\x00\"", s.Do(D(1), Op.GetDomainPath, "7"));
        Assert.Equal("IS_DOMAIN_INTRODUCED \"T\\x00\"", s.Raw(s.A, (uint)Op.IsDomainIntroduced, "1"));
        Assert.Equal("IS_DOMAIN_INTRODUCED \"T\\x00\"", s.Do(s.A, Op.IsDomainIntroduced, "32752"));
    }

    [Theory]
    [InlineData("abc\0", "/local/domain/0")]
    [InlineData("x12y\0", "/local/domain/12")]
    [InlineData("5\0", "/local/domain/5")]
    public void Get_domain_path_is_lenient(string payload, string expected)
    {
        var s = new Session();
        Assert.Equal($"GET_DOMAIN_PATH \"{expected}\\x00\"", s.Raw(s.A, (uint)Op.GetDomainPath, payload));
    }

    [Fact]
    public void Release_example_of_spec_8_8()
    {
        var s = new Session();
        s.Introduce(1);
        s.Introduce(3);
        s.Home(1);
        s.Write(s.A, "/owned1/sub", "");
        s.Do(s.A, Op.SetPerms, "/owned1", "n1");
        s.Write(s.A, "/local/domain/3/x", "");
        s.Do(s.A, Op.SetPerms, "/local/domain/3/x", "n0", "r1", "b3");
        s.Do(s.A, Op.Watch, "@releaseDomain", "rel");
        s.Take(s.A);
        Assert.Equal(Event("@releaseDomain", "rel") + " | " + Ok("RELEASE"), s.Do(s.A, Op.Release, "1"));
        Assert.Equal(Err("ENOENT"), s.Do(s.A, Op.Read, "/local/domain/1"));
        Assert.Equal(Err("ENOENT"), s.Do(s.A, Op.Read, "/owned1"));
        Assert.Equal("GET_PERMS \"n0\\x00b3\\x00\"", s.Do(s.A, Op.GetPerms, "/local/domain/3/x"));
        Assert.Equal("IS_DOMAIN_INTRODUCED \"F\\x00\"", s.Do(s.A, Op.IsDomainIntroduced, "1"));
        Assert.Equal(Err("EINVAL"), s.Do(s.A, Op.Release, "1"));
        s.Write(s.A, "/owned7", "");
        s.Do(s.A, Op.SetPerms, "/owned7", "n7");
        Assert.Equal(Err("EINVAL"), s.Do(s.A, Op.Release, "7"));
        Assert.Equal(Err("ENOENT"), s.Do(s.A, Op.Read, "/owned7"));
        Assert.False(s.Xs.IsConnected(D(1)));
    }

    [Fact]
    public void Resume_and_unknown_ops()
    {
        var s = new Session();
        s.Introduce(1);
        Assert.Equal(Ok("RESUME"), s.Do(s.A, Op.Resume, "1"));
        Assert.Equal(Err("EINVAL"), s.Do(s.A, Op.Resume, "2"));
        foreach (var type in new uint[] { 15, 16, 20, 22, 99 })
            Assert.Equal(Err("ENOSYS"), s.Raw(s.A, type, "x\0"));
        Assert.Equal("ERROR tx=5 \"EIO\\x00\"", s.Raw(s.A, 99, "x\0", tx: 5));
    }

    [Fact]
    public void Debug_examples_of_spec_10()
    {
        var s = new Session();
        s.Introduce(1);
        Assert.Equal("DEBUG \"1001\\x00\"", s.Do(s.A, Op.Control, "mfn", "1"));
        Assert.Equal(Ok("DEBUG"), s.Do(s.A, Op.Control, "mfn", "9"));
        Assert.Equal(Ok("DEBUG"), s.Do(s.A, Op.Control, "unknowncmd"));
        Assert.Equal(Ok("DEBUG"), s.Raw(s.A, 0, "quota\0"));
        Assert.Equal(Ok("DEBUG"), s.Do(D(1), Op.Control, "watches"));
        s.Do(D(1), Op.Watch, "data", "tok1");
        Assert.Equal("DEBUG \"watch D1: data tok1\\x0a\\x00\"", s.Do(s.A, Op.Control, "watches"));
    }

    /// <summary>The exact text Debian's oxenstored printed (found by `xsfuzz real diff`).</summary>
    [Fact]
    public void Debug_xenbus_prints_the_ring_queue_like_oxenstored()
    {
        var s = new Session();
        s.Introduce(1);
        Assert.Equal("DEBUG \"xenbus: XenBus state: partial_in: 16 needed, partial_out: 0 bytes, pkt_out: 0 packets, "
            + "BoundedQueue capacity: 2048, used: {}; overflow queue length: 0, can_input: true, has_more_input: false, "
            + "has_old_output: false, has_new_output: false, has_more_work: false. pending: Watches with pending events: 0, "
            + "pending events total: 0\"", s.Do(s.A, Op.Control, "xenbus", "1"));
    }

    /// <summary>
    /// oxenstored writes a ring's output into rsp[] at once: an unread event that fits in the ring's
    /// 1,024 bytes is in no queue (found by `xsfuzz real diff`: the model said pkt_out 1). Beyond them,
    /// the packet being written keeps its unwritten bytes in partial_out and the rest wait in pkt_out.
    /// </summary>
    [Fact]
    public void Debug_xenbus_counts_only_the_output_that_does_not_fit_in_the_ring()
    {
        var s = new Session();
        s.Introduce(1);
        s.Home(1);
        s.Do(D(1), Op.Watch, "data", "tok");
        s.Write(s.A, "/local/domain/1/data", "1");
        Assert.Contains("partial_out: 0 bytes, pkt_out: 0 packets, BoundedQueue capacity: 2048, used: {}; ", s.Do(s.A, Op.Control, "xenbus", "1"));
        // Each event "data\0tok\0" is 16 + 9 bytes: 40 fill 1,000 bytes, the 41st has 1 of its 25 bytes left.
        for (var i = 0; i < 44; i++) s.Write(s.A, "/local/domain/1/data", "1");
        Assert.Contains("partial_out: 1 bytes, pkt_out: 4 packets, BoundedQueue capacity: 2048, used: {\\x09watch_event: 4}; ",
            s.Do(s.A, Op.Control, "xenbus", "1"));
        Assert.Contains("has_old_output: true, has_new_output: true, has_more_work: false.", s.Do(s.A, Op.Control, "xenbus", "1"));
        Assert.Equal(45, s.Take(D(1)).Split(" | ").Length);
        Assert.Contains("partial_out: 0 bytes, pkt_out: 0 packets", s.Do(s.A, Op.Control, "xenbus", "1"));
    }

    [Fact]
    public void Live_update_control_of_spec_9_1()
    {
        var s = new Session();
        Assert.Equal("DEBUG \"Unknown arguments: -x\"", s.Do(s.A, Op.Control, "live-update", "-x"));
        Assert.Equal("DEBUG \"Unknown arguments: \"", s.Do(s.A, Op.Control, "live-update"));
        Assert.Equal(Ok("DEBUG"), s.Raw(s.A, 0, "live-update"));
        Assert.Equal("DEBUG \"BUSY\"", s.Do(s.A, Op.Control, "live-update", "-s", "-t", "5"));
        Assert.Equal("DEBUG \"BUSY\"", s.Do(s.A, Op.Control, "live-update", "-s"));
        Assert.True(s.Xs.LiveUpdatePending);
        s.Xs.CompleteLiveUpdate();
        Assert.Equal("DEBUG \"OK\"", s.Do(s.A, Op.Control, "live-update", "-s"));
        Assert.Equal("DEBUG \"BUSY\"", s.Do(s.A, Op.Control, "live-update", "-s"));
        Assert.Equal(Ok("DEBUG"), s.Do(s.A, Op.Control, "live-update", "-a"));
    }
}
