using XsFuzz.Xenstore.Quotas;

namespace XsFuzz.Xenstore.Store;

/// <summary>
/// A store: a tree root and the quota table that goes with it. The live store is one of these;
/// each transaction works on its own copy (spec §6.1). Mutable references to immutable values.
/// </summary>
internal sealed class StoreState(Node root, QuotaTable quota)
{
    public Node Root { get; set; } = root;
    public QuotaTable Quota { get; set; } = quota;

    public StoreState Copy() => new(Root, Quota);
}
