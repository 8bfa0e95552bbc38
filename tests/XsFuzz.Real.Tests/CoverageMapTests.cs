using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.Real.Tests;

public class CoverageMapTests
{
    [Fact]
    public void A_new_map_is_clear_and_names_its_segment_for_the_daemon()
    {
        using var map = CoverageMap.Create();
        Assert.Equal(CoverageMap.Size, map.Bytes.Length);
        Assert.Equal(0, map.Count());
        Assert.Equal(map.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), map.Environment[CoverageMap.ShmIdVariable]);
    }

    [Fact]
    public void Folding_scrambles_the_index_and_saturates_the_count()
    {
        using var map = CoverageMap.Create();
        map.Bytes[0] = 3;
        map.Bytes[1] = 200;
        map.Bytes[2] = 9;
        var target = new byte[CoverageMap.Size];
        target[40503] = 100;                    // edge 1 lands at 1 * 40503: 100 + 200 saturates
        target[(2 * 40503) & 0xFFFF] = 1;
        map.FoldInto(target);
        Assert.Equal(3, target[0]);
        Assert.Equal(255, target[40503]);
        Assert.Equal(10, target[(2 * 40503) & 0xFFFF]);
        Assert.Equal(3, target.Count(b => b != 0));
        Assert.Equal(3, map.Count());
        map.Clear();
        Assert.Equal(0, map.Count());
    }

    [Fact]
    public void Every_daemon_edge_gets_a_map_byte_of_its_own()
    {
        // The scramble is a bijection of the map's indexes: no two daemon edges share a byte.
        using var map = CoverageMap.Create();
        map.Bytes.Fill(1);
        var target = new byte[CoverageMap.Size];
        map.FoldInto(target);
        Assert.All(target, b => Assert.Equal(1, b));
    }

    [Fact]
    public void Without_hit_counts_each_edge_adds_one()
    {
        using var map = CoverageMap.Create();
        map.Bytes[0] = 7;
        map.Bytes[1] = 1;
        var target = new byte[CoverageMap.Size];
        map.FoldInto(target, hitCounts: false);
        map.FoldInto(target, hitCounts: false);
        Assert.Equal(2, target[0]);
        Assert.Equal(2, target[40503]);
    }

    [Fact]
    public void A_disposed_map_cannot_be_read()
    {
        var map = CoverageMap.Create();
        map.Dispose();
        Assert.Throws<ObjectDisposedException>(() => map.Count());
    }
}
