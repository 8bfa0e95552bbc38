using System.Collections.Immutable;

namespace XsFuzz.Xenstore.Quotas;

/// <summary>
/// Entry counts per owner domid (spec §5.2), immutable like oxenstored 4.17.4+'s map. A count that
/// reaches 0 is removed; decrementing an absent domid leaves -1. Sorted, so it prints deterministically.
/// </summary>
internal sealed class QuotaTable
{
    public static readonly QuotaTable Empty = new(ImmutableSortedDictionary<long, long>.Empty);

    private QuotaTable(ImmutableSortedDictionary<long, long> counts) => Counts = counts;

    public ImmutableSortedDictionary<long, long> Counts { get; }

    public static QuotaTable From(IEnumerable<KeyValuePair<long, long>> counts) =>
        new(ImmutableSortedDictionary.CreateRange(counts));

    public long? Find(long domid) => Counts.TryGetValue(domid, out var n) ? n : null;

    public QuotaTable Add(long domid) => Update(domid, +1);

    public QuotaTable Remove(long domid) => Update(domid, -1);

    /// <summary>RELEASE in 4.17.7: the domain's count is deleted.</summary>
    public QuotaTable Delete(long domid) => new(Counts.Remove(domid));

    private QuotaTable Update(long domid, long diff)
    {
        var n = diff + Counts.GetValueOrDefault(domid);
        return new QuotaTable(n == 0 ? Counts.Remove(domid) : Counts.SetItem(domid, n));
    }

    /// <summary>
    /// The entry check (spec §5.2): an owner &gt; 0 already holding <paramref name="maxEntity"/> entries
    /// may not create more. Owners absent from the table pass.
    /// </summary>
    public bool IsFull(long owner, int maxEntity) =>
        owner > 0 && Counts.TryGetValue(owner, out var n) && n >= maxEntity;

    /// <summary>
    /// A coalescing commit: <c>this + (final - start)</c>, only for domids present in
    /// <paramref name="final"/> (a count that fell to 0 in the transaction is not propagated).
    /// </summary>
    public QuotaTable Merge(QuotaTable start, QuotaTable final)
    {
        var result = this;
        foreach (var (domid, n) in final.Counts)
        {
            var diff = n - start.Counts.GetValueOrDefault(domid);
            if (diff != 0) result = result.Update(domid, diff);
        }
        return result;
    }
}
