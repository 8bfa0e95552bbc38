using XsFuzz.Xenstore.Store;

namespace XsFuzz.Xenstore.Tests.Model;

/// <summary>
/// NodePaths and NodePathsBelow make a path only when asked for it, from the subtree sizes each node
/// keeps (<see cref="Node.Size"/>): after every kind of change (and after live updates, whose restore
/// builds every node anew) each element must be the one a full walk of the tree lists at that index.
/// </summary>
public class NodePathsTests
{
    [Fact]
    public void Every_element_is_the_walk_s_path_after_random_requests_and_live_updates()
    {
        var daemon = new Xenstored();
        daemon.OpenSocket();
        var requests = new RandomRequests(seed: 7);
        for (var i = 0; i < 3000; i++)
        {
            var (from, request) = requests.Next(daemon);
            daemon.Handle(from, request);
            foreach (var id in daemon.Connections) daemon.TakeOutput(id);
            if (i % 250 == 249) daemon = daemon.LiveUpdate();
            if (i % 7 == 0) AssertListsMatchWalk(daemon);
        }
        AssertListsMatchWalk(daemon);
    }

    private static void AssertListsMatchWalk(Xenstored daemon)
    {
        var walk = Tree.Walk(daemon.State.Live.Root).Select(entry => entry.Path).ToList();
        Assert.Equal(walk.Count, daemon.State.Live.Root.Size);
        // Indexed first (each path found from the sizes), then enumerated (listed at once).
        var paths = daemon.NodePaths();
        Assert.Equal(walk, Enumerable.Range(0, paths.Count).Select(i => paths[i]));
        Assert.Equal(walk, daemon.NodePaths().ToList());
        foreach (var top in new[] { "/local/domain/1", "/a", "/" })
        {
            var prefix = top == "/" ? "/" : top + "/";
            var below = walk.Where(p => p.Length > prefix.Length && p.StartsWith(prefix, StringComparison.Ordinal))
                .Select(p => p[prefix.Length..]).ToList();
            var list = daemon.NodePathsBelow(top);
            Assert.Equal(below, Enumerable.Range(0, list.Count).Select(i => list[i]));
            Assert.Equal(below, daemon.NodePathsBelow(top).ToList());
        }
    }
}
