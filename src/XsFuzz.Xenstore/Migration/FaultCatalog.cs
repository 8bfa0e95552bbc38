using System.Text;

namespace XsFuzz.Xenstore.Migration;

/// <summary>
/// The planted live-update bugs by command-line name (kebab case of the enum member, e.g.
/// "perm-entry-lost") with a one-line description each.
/// </summary>
public static class FaultCatalog
{
    public static IReadOnlyList<LiveUpdateFault> All { get; } =
        Enum.GetValues<LiveUpdateFault>().Where(f => f != LiveUpdateFault.None).ToArray();

    public static string NameOf(LiveUpdateFault fault)
    {
        var pascal = fault.ToString();
        var name = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0) name.Append('-');
            name.Append(char.ToLowerInvariant(c));
        }
        return name.ToString();
    }

    public static bool TryParse(string name, out LiveUpdateFault fault)
    {
        foreach (var candidate in Enum.GetValues<LiveUpdateFault>())
        {
            if (NameOf(candidate) != name) continue;
            fault = candidate;
            return true;
        }
        fault = LiveUpdateFault.None;
        return false;
    }

    public static string Describe(LiveUpdateFault fault) => fault switch
    {
        LiveUpdateFault.None => "no planted bug: the live update should be invisible",
        LiveUpdateFault.PermEntryLost => "the last ACL entry of a node's permission list is not restored",
        LiveUpdateFault.EmptyLeafDropped => "a node with an empty value and no children is not dumped",
        LiveUpdateFault.QuotaRecomputed => "quota counts are recomputed from the tree instead of restored as they were",
        LiveUpdateFault.WatchRelativeLost => "a relative watch comes back absolute (its events report the absolute path)",
        LiveUpdateFault.TransactionWritesLost => "open transactions lose their logged writes (no watch events at commit)",
        LiveUpdateFault.PendingEventDropped => "watch events queued but not yet delivered are dropped",
        LiveUpdateFault.DomainTargetLost => "SET_TARGET targets are not restored",
        LiveUpdateFault.WatchOrderReversed => "watches on the same path come back in reverse order",
        LiveUpdateFault.TxCounterReset => "every connection's transaction id counter restarts at 1",
        LiveUpdateFault.NodeIdentityLost => "node identity is not kept: every node gets a fresh stamp",
        LiveUpdateFault.TrieWatchDoubled => "a connection's second watch on one path is added to the global watch trie twice",
        LiveUpdateFault.TrieOrderLost => "the global watch trie's lists come back oldest first (the connections' own lists stay newest first)",
        LiveUpdateFault.TrieKeyWrongHome => "a domain's relative watch is keyed in the global watch trie against dom0's home",
        LiveUpdateFault.QueuedEventsUncounted => "a connection's count of queued watch events restarts at 0 (the event quota no longer holds)",
        LiveUpdateFault.OutputReversed => "a connection's queued output comes back newest first",
        LiveUpdateFault.OutputRepeatDropped => "a queued watch event equal to the one just before it is not dumped",
        LiveUpdateFault.ConfigPermsSwapped => "perms-activate and perms-watch-activate come back swapped",
        LiveUpdateFault.OutputQueueTruncated => $"a connection's queued output beyond {Dumper.OutputBufferSlots} packets is not restored",
        LiveUpdateFault.TxRepeatedChangeMerged => "two identical store changes in a row in an open transaction come back as one",
        LiveUpdateFault.PartialInputLost => "the bytes of a request a client had begun to write are not restored",
        _ => "(no description)",
    };
}
