using XsFuzz.Xenstore.Wire;
using static XsFuzz.Xenstore.Tests.Model.Session;

namespace XsFuzz.Xenstore.Tests.Model;

/// <summary>Spec §4 [V] examples.</summary>
public class PermissionTests
{
    [Fact]
    public void Perm_strings_parse_and_print_like_ocaml()
    {
        var s = new Session();
        s.Write(s.A, "/a", "");
        Assert.Equal(Ok("SET_PERMS"), s.Do(s.A, Op.SetPerms, "/a", "r-1", "b0x10", "w+3", "n1_0"));
        Assert.Equal("GET_PERMS \"r9223372036854775807\\x00b16\\x00w3\\x00n10\\x00\"", s.Do(s.A, Op.GetPerms, "/a"));
        Assert.Equal(Ok("SET_PERMS"), s.Do(s.A, Op.SetPerms, "/a", "b70000"));
        Assert.Equal("GET_PERMS \"b70000\\x00\"", s.Do(s.A, Op.GetPerms, "/a"));
    }

    [Theory]
    [InlineData("/a\0x1\0")]
    [InlineData("/a\0r\0")]
    [InlineData("/a\0rr\0")]
    [InlineData("/a\0r1\0\0")]
    [InlineData("/a\0")]
    [InlineData("/a")]
    public void Bad_perm_strings_are_EINVAL(string payload)
    {
        var s = new Session();
        s.Write(s.A, "/a", "");
        Assert.Equal(Err("EINVAL"), s.Raw(s.A, (uint)Op.SetPerms, payload));
    }

    [Fact]
    public void A_perm_without_its_nul_is_lost()
    {
        var s = new Session();
        s.Write(s.A, "/a", "");
        Assert.Equal(Ok("SET_PERMS"), s.Raw(s.A, (uint)Op.SetPerms, "/a\0r1\0b2"));
        Assert.Equal("GET_PERMS \"r1\\x00\"", s.Do(s.A, Op.GetPerms, "/a"));
    }

    [Fact]
    public void First_acl_entry_wins()
    {
        var s = new Session();
        s.Introduce(1);
        s.Introduce(2);
        s.Home(1);
        s.Write(s.A, "/local/domain/1/foo", "x");
        s.Do(s.A, Op.SetPerms, "/local/domain/1/foo", "r1", "w2");
        Assert.Equal(Err("EACCES"), s.Do(D(2), Op.Read, "/local/domain/1/foo"));
        Assert.Equal(Ok("WRITE"), s.Write(D(2), "/local/domain/1/foo", "y"));
        s.Do(s.A, Op.SetPerms, "/local/domain/1/foo", "n1", "r2", "n2");
        Assert.Equal("READ \"y\"", s.Do(D(2), Op.Read, "/local/domain/1/foo"));
        s.Do(s.A, Op.SetPerms, "/local/domain/1/foo", "n1", "n2", "r2");
        Assert.Equal(Err("EACCES"), s.Do(D(2), Op.Read, "/local/domain/1/foo"));
    }

    [Fact]
    public void New_nodes_copy_the_parents_perms_and_owner()
    {
        var s = new Session();
        s.Introduce(5);
        s.Home(5);
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "/local/domain/5/x", ""));
        Assert.Equal("GET_PERMS \"n5\\x00\"", s.Do(s.A, Op.GetPerms, "/local/domain/5/x"));
        Assert.Equal("DEBUG \"dom5 quota: 2/1000\\x00\"", s.Do(s.A, Op.Control, "quota", "5"));
    }

    [Fact]
    public void Only_privileged_callers_change_owners()
    {
        var s = new Session();
        s.Introduce(1);
        s.Home(1);
        s.Write(s.A, "/local/domain/1/x", "");
        Assert.Equal(Err("EACCES"), s.Do(D(1), Op.SetPerms, "x", "n2"));
        Assert.Equal(Ok("SET_PERMS"), s.Do(D(1), Op.SetPerms, "x", "n1", "r2"));
        Assert.Equal(Err("EACCES"), s.Do(D(1), Op.SetPerms, "/local", "n0"));
    }

    [Fact]
    public void Set_target_examples_of_spec_8_8()
    {
        var s = new Session();
        s.Introduce(1);
        s.Introduce(2);
        s.Home(2);
        s.Write(s.A, "/local/domain/2/secret", "s");
        Assert.Equal(Err("EACCES"), s.Do(D(1), Op.Read, "/local/domain/2/secret"));
        Assert.Equal(Ok("SET_TARGET"), s.Do(s.A, Op.SetTarget, "1", "2"));
        Assert.Equal("READ \"s\"", s.Do(D(1), Op.Read, "/local/domain/2/secret"));
        Assert.Equal(Err("ENOENT"), s.Do(s.A, Op.SetTarget, "9", "2"));
        Assert.Equal(Err("EINVAL"), s.Raw(s.A, (uint)Op.SetTarget, "1\02"));
        Assert.Equal(Err("EACCES"), s.Do(D(1), Op.Introduce, "3", "1003", "13"));
        Assert.Equal(Ok("SET_TARGET"), s.Do(s.A, Op.SetTarget, "1", "0"));
        Assert.Equal(Ok("INTRODUCE"), s.Do(D(1), Op.Introduce, "3", "1003", "13"));
    }
}
