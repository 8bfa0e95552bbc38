namespace XsFuzz.Harness.Shrinking;

/// <summary>
/// Zeller's ddmin, complement variant: remove ever smaller chunks of a list while the failure persists.
/// </summary>
internal static class DeltaDebugging
{
    public static List<T> Minimize<T>(List<T> items, Func<List<T>, bool> stillFails)
    {
        var granularity = 2;
        while (items.Count > 0)
        {
            var chunk = (items.Count + granularity - 1) / granularity;
            var reduced = false;
            for (var start = 0; start < items.Count; start += chunk)
            {
                var candidate = new List<T>(items.Count);
                for (var i = 0; i < items.Count; i++)
                {
                    if (i < start || i >= start + chunk) candidate.Add(items[i]);
                }
                if (!stillFails(candidate)) continue;
                items = candidate;
                granularity = Math.Max(granularity - 1, 2);
                reduced = true;
                break;
            }
            if (reduced) continue;
            if (granularity >= items.Count) break;
            granularity = Math.Min(items.Count, granularity * 2);
        }
        return items;
    }
}
