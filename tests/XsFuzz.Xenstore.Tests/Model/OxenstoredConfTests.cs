namespace XsFuzz.Xenstore.Tests.Model;

public class OxenstoredConfTests
{
    [Fact]
    public void Debians_values_for_the_known_keys_give_Debians_configuration()
    {
        const string text = """
            # the model's keys of Debian 12's /etc/xen/oxenstored.conf
            merge-activate = true
            perms-activate = true
            perms-watch-activate = true
            quota-activate = true
            quota-maxentity = 1000
            quota-maxsize = 2048
            quota-maxwatch = 100
            quota-transaction = 10
            quota-maxrequests = 1024
            quota-path-max = 1024
            quota-maxoutstanding = 1024
            quota-maxwatchevents = 1024

            """;
        Assert.Equal(XenstoredConfig.Debian, OxenstoredConf.Parse(text));
        Assert.Equal(XenstoredConfig.Debian, OxenstoredConf.Parse(""));
    }

    /// <summary>What the real oxenstored is given for a variant reads back as that variant.</summary>
    [Fact]
    public void Each_variant_renders_to_a_file_that_parses_back_to_it()
    {
        foreach (var variant in ConfigVariants.All)
        {
            var text = OxenstoredConf.Render(variant.Config);
            Assert.Equal(OxenstoredConf.Keys.Count, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Equal(variant.Config, OxenstoredConf.Parse(text));
        }
        Assert.Empty(OxenstoredConf.Differences(XenstoredConfig.Debian, XenstoredConfig.Debian));
        Assert.Equal(["quota-maxwatch = 3", "merge-activate = false"],
            OxenstoredConf.Differences(XenstoredConfig.Debian with { MaxWatch = 3, MergeActivate = false }, XenstoredConfig.Debian));
    }

    [Fact]
    public void Each_key_sets_its_setting()
    {
        var c = OxenstoredConf.Parse("quota-activate=false\nquota-maxwatch = 3 # comment\nperms-watch-activate = false\nallow-debug = true\nquota-maxrequests = -1\r\n");
        Assert.Equal(XenstoredConfig.Debian with { QuotaActivate = false, MaxWatch = 3, PermsWatchActivate = false, AllowDebug = true, MaxRequests = -1 }, c);
    }

    [Theory]
    [InlineData("pid-file = /run/xenstored.pid", "line 1: unknown key 'pid-file'")]
    [InlineData("\nquota-activate = yes", "line 2: quota-activate must be true or false, got 'yes'")]
    [InlineData("quota-maxsize = 2k", "line 1: quota-maxsize must be an integer, got '2k'")]
    [InlineData("quota-maxsize = 0", "line 1: quota-maxsize must be at least 1, got '0'")]
    [InlineData("quota-activate", "line 1: expected 'key = value', got 'quota-activate'")]
    public void Bad_lines_are_one_line_errors_naming_the_line(string text, string message)
    {
        var e = Assert.Throws<FormatException>(() => OxenstoredConf.Parse(text));
        Assert.StartsWith(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_variants_are_Debians_first_then_distinct_configurations_with_distinct_names()
    {
        Assert.Same(ConfigVariants.Debian, ConfigVariants.All[0]);
        Assert.Equal(XenstoredConfig.Debian, ConfigVariants.Debian.Config);
        Assert.Equal(ConfigVariants.All.Count, ConfigVariants.All.Select(v => v.Config).Distinct().Count());
        Assert.Equal(ConfigVariants.All.Count, ConfigVariants.All.Select(v => v.Name).Distinct().Count());
        Assert.Equal(["debian", "quota-off", "perms-off", "perms-watch-off", "merge-off", "small-quotas"], ConfigVariants.All.Select(v => v.Name));
        Assert.Null(ConfigVariants.Find("nope"));
    }
}
