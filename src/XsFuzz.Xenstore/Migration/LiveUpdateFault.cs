namespace XsFuzz.Xenstore.Migration;

/// <summary>
/// Planted live-update bugs, off by default. Each one is a realistic mistake a dump/restore
/// implementation could make; the harness must catch every one of them.
/// </summary>
public enum LiveUpdateFault
{
    None = 0,
    /// <summary>The last ACL entry of a node's permission list is not restored.</summary>
    PermEntryLost,
    /// <summary>A node with an empty value and no children is not dumped.</summary>
    EmptyLeafDropped,
    /// <summary>Quota counts are recomputed from the tree instead of restored as they were.</summary>
    QuotaRecomputed,
    /// <summary>A relative watch is restored as absolute (events report the absolute path).</summary>
    WatchRelativeLost,
    /// <summary>Open transactions lose their logged write operations (no events at commit).</summary>
    TransactionWritesLost,
    /// <summary>Watch events queued but not yet delivered are dropped.</summary>
    PendingEventDropped,
    /// <summary>SET_TARGET targets are not restored.</summary>
    DomainTargetLost,
    /// <summary>Watches on the same path come back in reverse order.</summary>
    WatchOrderReversed,
    /// <summary>Every connection's transaction id counter restarts at 1.</summary>
    TxCounterReset,
    /// <summary>Node identity is not kept: every node gets a fresh stamp.</summary>
    NodeIdentityLost,
    /// <summary>A connection's second watch on one path is added to the global watch trie twice.</summary>
    TrieWatchDoubled,
    /// <summary>The global watch trie's lists come back oldest first (the connections' own lists stay newest first).</summary>
    TrieOrderLost,
    /// <summary>A domain's relative watch is keyed in the global watch trie against dom0's home, not its own.</summary>
    TrieKeyWrongHome,
    /// <summary>A connection's count of queued watch events restarts at 0 (its output can then exceed the event quota).</summary>
    QueuedEventsUncounted,
    /// <summary>A connection's queued output comes back newest first (restored by prepending, never reversed).</summary>
    OutputReversed,
    /// <summary>A queued watch event equal to the one queued just before it is not dumped.</summary>
    OutputRepeatDropped,
    /// <summary>perms-activate and perms-watch-activate are swapped in the dumped configuration.</summary>
    ConfigPermsSwapped,
    /// <summary>Only a connection's first 32 queued output packets are dumped (a fixed-size buffer).</summary>
    OutputQueueTruncated,
    /// <summary>An open transaction's store change identical to the one logged before it is dumped once.</summary>
    TxRepeatedChangeMerged,
    /// <summary>The bytes of a request a client had begun to write are not dumped.</summary>
    PartialInputLost,
}
