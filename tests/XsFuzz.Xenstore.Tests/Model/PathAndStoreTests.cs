using XsFuzz.Xenstore.Wire;
using static XsFuzz.Xenstore.Tests.Model.Session;

namespace XsFuzz.Xenstore.Tests.Model;

/// <summary>Spec §2.4 and §3.4 [V] examples.</summary>
public class PathAndStoreTests
{
    private static readonly XenstoredConfig NoConfigFile = new() { PathMax = 2048 };

    [Theory]
    [InlineData("\0")]
    [InlineData("/a/\0")]
    [InlineData("//a\0")]
    [InlineData("/local")]
    [InlineData("/local\0\0")]
    [InlineData("/a b\0")]
    [InlineData("/a.b\0")]
    [InlineData("\0x")]
    public void Malformed_read_paths_are_EINVAL(string payload)
    {
        var s = new Session();
        Assert.Equal(Err("EINVAL"), s.Raw(s.A, (uint)Op.Read, payload));
    }

    [Fact]
    public void Path_examples_of_spec_2_4()
    {
        var s = new Session(NoConfigFile);
        Assert.Equal(Err("ENOENT"), s.Do(s.A, Op.Read, "/nonexist/child"));
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "@foo/bar", "value"));
        Assert.Equal(Err("ENOENT"), s.Do(s.A, Op.Read, "/@foo/bar"));
        Assert.Equal("READ \"value\"", s.Do(s.A, Op.Read, "@foo/bar"));
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "relative/x", "v"));
        Assert.Equal("READ \"v\"", s.Do(s.A, Op.Read, "/local/domain/0/relative/x"));
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "/" + new string('x', 1024), "v"));
        Assert.Equal(Err("EINVAL"), s.Write(s.A, "/" + new string('x', 2048), "v"));
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "/local/domain/0/" + new string('x', 2048), "v"));
        Assert.Equal(Err("EINVAL"), s.Write(s.A, "/local/domain/0/" + new string('x', 2049), "v"));
    }

    [Fact]
    public void Debian_path_max_is_1024_after_the_domain_prefix()
    {
        var s = new Session();
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "/" + new string('x', 1023), "v"));
        Assert.Equal(Err("EINVAL"), s.Write(s.A, "/" + new string('x', 1024), "v"));
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "/local/domain/7/" + new string('y', 1024), "v"));
        Assert.Equal(Err("EINVAL"), s.Write(s.A, "/local/domain/7/" + new string('y', 1025), "v"));
    }

    [Fact]
    public void Store_examples_of_spec_3_4()
    {
        var s = new Session();
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "/a", "with\0nul\0"));
        Assert.Equal("READ \"with\\x00nul\\x00\"", s.Do(s.A, Op.Read, "/a"));
        Assert.Equal(Ok("MKDIR"), s.Do(s.A, Op.Mkdir, "/a/b/c"));
        Assert.Equal(Ok("MKDIR"), s.Do(s.A, Op.Mkdir, "/a/b/c"));
        Assert.Equal("DIRECTORY \"\"", s.Do(s.A, Op.Directory, "/a/b/c"));
        Assert.Equal(Ok("RM"), s.Do(s.A, Op.Rm, "/a/nonexist"));
        Assert.Equal(Err("ENOENT"), s.Do(s.A, Op.Rm, "/a/nonexist/deeper"));
    }

    [Fact]
    public void Unprivileged_store_examples_of_spec_3_4()
    {
        var s = new Session();
        s.Write(s.A, "/ro", "");
        s.Introduce(1);
        s.Home(1);
        Assert.Equal(Err("EACCES"), s.Do(D(1), Op.Mkdir, "/ro"));
        Assert.Equal(Ok("RM"), s.Do(D(1), Op.Rm, "/ro/nonexist"));
        Assert.Equal(Err("E2BIG"), s.Write(D(1), "p1/p2/p3", new string('x', 2049)));
        Assert.Equal("DIRECTORY \"p2\\x00\"", s.Do(s.A, Op.Directory, "/local/domain/1/p1"));
    }

    [Fact]
    public void Directory_lists_children_in_byte_order()
    {
        var s = new Session();
        foreach (var name in new[] { "b", "_", "Z", "0", "-" }) s.Write(s.A, "/a/" + name, "");
        Assert.Equal("DIRECTORY \"-\\x000\\x00Z\\x00_\\x00b\\x00\"", s.Do(s.A, Op.Directory, "/a"));
    }

    [Fact]
    public void Start_up_tree_matches_spec_11()
    {
        var s = new Session();
        Assert.Equal("DIRECTORY \"@introduceDomain\\x00@releaseDomain\\x00local\\x00tool\\x00\"", s.Do(s.A, Op.Directory, "/"));
        Assert.Equal("GET_PERMS \"n0\\x00\"", s.Do(s.A, Op.GetPerms, "/"));
        Assert.Equal("DEBUG \"dom0 quota: 5/1000\\x00\"", s.Do(s.A, Op.Control, "quota", "0"));
        Assert.Equal("READ \"\"", s.Do(s.A, Op.Read, "@introduceDomain"));
    }

    [Fact]
    public void Write_needs_a_nul_and_keeps_the_whole_value()
    {
        var s = new Session();
        Assert.Equal(Err("EINVAL"), s.Raw(s.A, (uint)Op.Write, "/a"));
        Assert.Equal(Ok("WRITE"), s.Raw(s.A, (uint)Op.Write, "/a\0"));
        Assert.Equal("READ \"\"", s.Do(s.A, Op.Read, "/a"));
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "/a", new string('v', 2048)));
        Assert.Equal(Err("E2BIG"), s.Write(s.A, "/a", new string('v', 2049)));
    }
}
