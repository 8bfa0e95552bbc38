using XsFuzz.Xenstore.Wire;
using static XsFuzz.Xenstore.Tests.Model.Session;

namespace XsFuzz.Xenstore.Tests.Model;

/// <summary>Spec §7.8 [V] examples.</summary>
public class WatchTests
{
    [Fact]
    public void Examples_of_spec_7_8()
    {
        var s = new Session();
        Assert.Equal(Ok("WATCH") + " | " + Event("/w", "t1"), s.Do(s.A, Op.Watch, "/w", "t1"));
        Assert.Equal(Err("EEXIST"), s.Do(s.A, Op.Watch, "/w", "t1"));
        Assert.Equal(Ok("WATCH") + " | " + Event("/w", "t2"), s.Do(s.A, Op.Watch, "/w", "t2"));
        s.Do(s.A, Op.Watch, "/w/a/b", "tb");
        Assert.Equal(Ok("WATCH") + " | " + Event("/", "troot"), s.Do(s.A, Op.Watch, "/", "troot"));
        Assert.Equal(Ok("WATCH") + " | " + Event("/w", ""), s.Do(s.A, Op.Watch, "/w", ""));
        Assert.Equal(Err("EINVAL"), s.Raw(s.A, (uint)Op.Watch, "/w/\0bad\0"));
        Assert.Equal(Err("EINVAL"), s.Raw(s.A, (uint)Op.Watch, "\0bad\0"));
        Assert.Equal(Err("EINVAL"), s.Raw(s.A, (uint)Op.Watch, "/w\0t3\01\0"));
        Assert.Equal(Err("EINVAL"), s.Raw(s.A, (uint)Op.Watch, "/w\0t3"));
        Assert.Equal(Ok("WATCH") + " | " + Event("@anything/x y", "sp"), s.Do(s.A, Op.Watch, "@anything/x y", "sp"));

        Assert.Equal(string.Join(" | ", Ok("WRITE"), Event("/w/a/b/c", "troot"), Event("/w/a/b/c", ""),
                Event("/w/a/b/c", "t2"), Event("/w/a/b/c", "t1"), Event("/w/a/b/c", "tb")),
            s.Write(s.A, "/w/a/b/c", "v"));
        Assert.Equal(Ok("MKDIR"), s.Do(s.A, Op.Mkdir, "/w/a"));
        Assert.Equal(string.Join(" | ", Ok("RM"), Event("/w/a", "troot"), Event("/w/a", ""),
                Event("/w/a", "t2"), Event("/w/a", "t1"), Event("/w/a/b", "tb")),
            s.Do(s.A, Op.Rm, "/w/a"));
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "/", "x"));
        Assert.Equal(Ok("UNWATCH"), s.Do(s.A, Op.Unwatch, "/w", "t1"));
        Assert.Equal(Err("ENOENT"), s.Do(s.A, Op.Unwatch, "/w", "t1"));
        Assert.Equal(Err("EINVAL"), s.Raw(s.A, (uint)Op.Unwatch, "/w\0t2"));
        Assert.Equal(Err("ENOENT"), s.Do(s.A, Op.Unwatch, "/w/", "t2"));
    }

    [Fact]
    public void Relative_watches_of_spec_7_8()
    {
        var s = new Session();
        s.Introduce(1);
        s.Home(1);
        Assert.Equal(Ok("WATCH") + " | " + Event("data", "rel"), s.Do(D(1), Op.Watch, "data", "rel"));
        Assert.Equal(Ok("WATCH") + " | " + Event("/local/domain/1/data", "abs"), s.Do(D(1), Op.Watch, "/local/domain/1/data", "abs"));
        Assert.Equal(Err("EEXIST"), s.Do(D(1), Op.Watch, "/local/domain/1/data", "rel"));
        Assert.Equal(Ok("WATCH") + " | " + Event("data/x/y/z", "deep"), s.Do(D(1), Op.Watch, "data/x/y/z", "deep"));
        s.Write(D(1), "data/x/y/z", "v");
        s.Take(D(1));
        Assert.Equal(string.Join(" | ", Ok("RM"), Event("/local/domain/1/data/x", "abs"), Event("data/x", "rel"),
            Event("data/x/y/z", "deep")), s.Do(D(1), Op.Rm, "data/x"));
    }

    [Fact]
    public void Special_watches_of_spec_7_8()
    {
        var s = new Session();
        s.Introduce(2);
        s.Do(D(2), Op.Watch, "@introduceDomain", "int2");
        s.Take(D(2));
        s.Do(s.A, Op.Watch, "/", "troot");
        s.Take(s.A);
        s.Introduce(3);
        Assert.Equal("", s.Take(D(2)));
        Assert.Equal(Ok("SET_PERMS") + " | " + Event("/@introduceDomain", "troot"),
            s.Do(s.A, Op.SetPerms, "@introduceDomain", "n0", "r2"));
        Assert.Equal(Ok("INTRODUCE"), s.Do(s.A, Op.Introduce, "4", "1004", "14"));
        Assert.Equal(Event("@introduceDomain", "int2"), s.Take(D(2)));
    }

    [Fact]
    public void Permission_filter_uses_the_parent_and_both_trees()
    {
        var s = new Session();
        s.Introduce(1);
        s.Write(s.A, "/r/a", "");
        s.Do(s.A, Op.SetPerms, "/r", "n0", "r1");
        s.Do(D(1), Op.Watch, "/r/a", "w");
        s.Take(D(1));
        s.Write(s.A, "/r/a", "v");
        Assert.Equal(Event("/r/a", "w"), s.Take(D(1)));
        s.Do(s.A, Op.SetPerms, "/r", "n0");
        s.Do(s.A, Op.SetPerms, "/r/a", "n0", "r1");
        s.Do(s.A, Op.SetPerms, "/r/a", "n0");
        // granting notifies the new reader, revoking still notifies the old one
        Assert.Equal(Event("/r/a", "w") + " | " + Event("/r/a", "w"), s.Take(D(1)));
        s.Write(s.A, "/r/a", "w");
        Assert.Equal("", s.Take(D(1)));
    }

    [Fact]
    public void Events_on_the_root_reach_nobody()
    {
        var s = new Session();
        s.Do(s.A, Op.Watch, "/", "root");
        s.Take(s.A);
        Assert.Equal(Ok("WRITE"), s.Write(s.A, "/", "v"));
        Assert.Equal(Ok("SET_PERMS"), s.Do(s.A, Op.SetPerms, "/", "n0"));
    }
}
