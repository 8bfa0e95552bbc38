using XsFuzz.Harness.Running;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.Real.Tests;

/// <summary>
/// The signatures the 30-minute campaigns found (after regrouping), and whether the allow-list covers
/// them: a guard against an edit of known-differences.txt that silently stops matching, or starts
/// matching what it should not.
/// </summary>
public class AllowListCoverageTests
{
    private static readonly KnownDifferences Known = KnownDifferences.Builtin();

    [Theory]
    [InlineData("drain: the same packets in another order")]
    [InlineData("end drain: the same packets in another order")]
    [InlineData("live update: state differs in [node extra in A: /@introduceDomain]")]
    [InlineData("live update: state differs in [node extra in A: /@releaseDomain]")]
    [InlineData("live update: state differs in [node extra in A: /tool/xenstored]")]
    [InlineData("live update: state differs in [node extra in A: /tool]")]
    [InlineData("live update: state differs in [node missing in A: * (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [node missing in A: * (unreadable)]")]
    [InlineData("live update: state differs in [node missing in A: /local (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [node missing in A: /local/domain (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [order]")]
    [InlineData("live update: state differs in [perms and value: / (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [perms and value: /@releaseDomain (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [perms: / (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [perms: /@introduceDomain (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [perms: /@releaseDomain (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [value: /tool/xenstored]")]
    [InlineData("reply to DEBUG mfn (negative domid): DEBUG payload")]
    [InlineData("reply to DEBUG watches: DEBUG payload")]
    [InlineData("reply to MKDIR: the same packets in another order")]
    [InlineData("reply to READ: the same packets in another order")]
    [InlineData("reply to RELEASE (negative domid): ERROR(EINVAL) instead of RELEASE")]
    [InlineData("reply to RESUME (negative domid): ERROR(EINVAL) instead of RESUME")]
    [InlineData("end drain (negative domid): no answer in A, answered in B")]
    [InlineData("reply to unknown type (negative domid): no answer in A, answered in B")]
    [InlineData("reply to SET_PERMS: the same packets in another order")]
    [InlineData("reply to TRANSACTION_START: TRANSACTION_START payload")]
    [InlineData("reply to WRITE: the same packets in another order")]
    [InlineData("live update failed: daemon died: killed by signal 11")]
    [InlineData("reply to GET_DOMAIN_PATH: answered in A, no answer in B")]
    [InlineData("reply to unknown type: the same packets in another order")]
    [InlineData("reply to unknown type: answered in A, no answer in B")]
    [InlineData("reply to WRITE (reserved domid): answered in A, no answer in B")]
    [InlineData("reply to DEBUG watches: DEBUG payload (same lines, other order)")]
    [InlineData("live update: state differs in [node extra in A: *] (after a ring step neither side answered)")]
    [InlineData("reply to TRANSACTION_START: TRANSACTION_START extra in A (after a ring step neither side answered)")]
    [InlineData("reply to MKDIR: ERROR(EACCES) extra in A (after a ring step neither side answered)")]
    public void Every_oxenstored_live_update_difference_found_is_known(string signature)
    {
        Assert.NotNull(Known.Match(new RunDescription(PairMode.LiveUpdate, DaemonKind.Oxenstored), signature));
    }

    [Theory]
    [InlineData("A died: xenstored_core.c:2118: consider_message: Assertion `conn->in == NULL' failed.")]
    [InlineData("B died: xenstored_core.c:2118: consider_message: Assertion `conn->in == NULL' failed.")]
    [InlineData("live update failed: answered \"Dump node walk error\"")]
    [InlineData("live update failed: daemon died: FATAL: write node error restoring node")]
    [InlineData("live update failed: daemon died: xenstored_core.c:2118: consider_message: Assertion `conn->in == NULL' failed.")]
    [InlineData("live update: state differs in [node missing in A: * (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [node missing in A: /local (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [node missing in A: /local/domain (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [node missing in A: /tool (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [node missing in A: /tool/xenstored (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [perms and value: / (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [perms: * (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [perms: / (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [perms: /local (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [perms: /tool (out-of-range domid in perms)]")]
    [InlineData("live update: state differs in [perms: /tool/xenstored (out-of-range domid in perms)]")]
    [InlineData("no live update done yet: A died: xenstored_core.c:2118: consider_message: Assertion `conn->in == NULL' failed.")]
    [InlineData("reply to DEBUG quota: DEBUG payload")]
    [InlineData("reply to DIRECTORY: ERROR(EEXIST) instead of ERROR(EINVAL)")]
    [InlineData("reply to DIRECTORY: ERROR(EEXIST) instead of ERROR(ENOENT)")]
    [InlineData("reply to GET_PERMS: ERROR(EEXIST) instead of ERROR(EINVAL)")]
    [InlineData("reply to GET_PERMS: ERROR(EEXIST) instead of ERROR(ENOENT)")]
    [InlineData("reply to IS_DOMAIN_INTRODUCED (negative domid): IS_DOMAIN_INTRODUCED payload")]
    [InlineData("reply to MKDIR: ERROR(EEXIST) instead of ERROR(EINVAL)")]
    [InlineData("reply to MKDIR: ERROR(EEXIST) instead of ERROR(ENOMEM)")]
    [InlineData("reply to READ: ERROR(EEXIST) instead of ERROR(EINVAL)")]
    [InlineData("reply to READ: ERROR(EEXIST) instead of ERROR(ENOENT)")]
    [InlineData("reply to READ: ERROR(EAGAIN) instead of ERROR(EACCES)")]
    [InlineData("no live update done yet: reply to SET_PERMS: ERROR(EAGAIN) instead of ERROR(EACCES)")]
    [InlineData("reply to RELEASE (negative domid): ERROR(ENOENT) instead of RELEASE")]
    [InlineData("reply to RESUME (negative domid): ERROR(ENOENT) instead of RESUME")]
    [InlineData("reply to RM: ERROR(EEXIST) instead of ERROR(EINVAL)")]
    [InlineData("reply to RM: ERROR(EEXIST) instead of ERROR(ENOMEM)")]
    [InlineData("reply to SET_PERMS: ERROR(EEXIST) instead of ERROR(EINVAL)")]
    [InlineData("reply to SET_PERMS: ERROR(EEXIST) instead of ERROR(ENOENT)")]
    [InlineData("reply to SET_TARGET (negative domid): ERROR(ENOENT) instead of SET_TARGET")]
    [InlineData("reply to TRANSACTION_START: TRANSACTION_START payload")]
    // A split TRANSACTION_START (PARTIAL) is answered during the next step, or by the end's drain.
    [InlineData("reply to TRANSACTION_END: TRANSACTION_START payload")]
    [InlineData("end drain: TRANSACTION_START payload")]
    // The 30-minute campaign of 2026-12-01: the errno left over, seen from the other side.
    [InlineData("reply to READ: ERROR(EACCES) instead of ERROR(EAGAIN)")]
    [InlineData("reply to SET_PERMS: ERROR(EACCES) instead of ERROR(EAGAIN)")]
    [InlineData("reply to GET_PERMS: ERROR(EACCES) instead of ERROR(EAGAIN)")]
    [InlineData("reply to MKDIR: ERROR(EEXIST) instead of ERROR(EAGAIN)")]
    [InlineData("reply to MKDIR: ERROR(EINVAL) instead of ERROR(EAGAIN)")]
    [InlineData("reply to GET_PERMS: ERROR(ENOENT) instead of ERROR(EAGAIN)")]
    [InlineData("reply to RM: ERROR(EEXIST) instead of ERROR(ENOSPC)")]
    [InlineData("reply to RM: ERROR(ENOMEM) instead of ERROR(EAGAIN)")]
    [InlineData("reply to SET_PERMS (negative domid): closed in A, answered in B")]
    [InlineData("reply to IS_DOMAIN_INTRODUCED (reserved domid): closed in A, answered in B")]
    [InlineData("end drain (reserved domid): closed in A, answered in B")]
    [InlineData("live update failed: daemon died: xenstored_transaction.c:654: conn_delete_all_transactions: Assertion `conn->transaction == NULL' failed.")]
    [InlineData("no live update done yet: B died: xenstored_transaction.c:654: conn_delete_all_transactions: Assertion `conn->transaction == NULL' failed.")]
    [InlineData("no live update done yet: reply to SET_PERMS: ERROR(EACCES) instead of ERROR(EAGAIN)")]
    [InlineData("end drain: more copies of the same WATCH_EVENTs in A")]
    [InlineData("no live update done yet: end drain: more copies of the same WATCH_EVENTs in B")]
    [InlineData("reply to WRITE: more copies of the same WATCH_EVENTs in A")]
    [InlineData("end drain: other numbers of copies of the same WATCH_EVENTs")]
    [InlineData("end drain: more copies of the same WATCH_EVENTs in A (after a ring step neither side answered)")]
    [InlineData("reply to DIRECTORY: ERROR(EAGAIN) instead of ERROR(EEXIST)")]
    [InlineData("reply to MKDIR: ERROR(EEXIST) instead of ERROR(ENOSPC)")]
    [InlineData("no live update done yet: reply to MKDIR: ERROR(EAGAIN) instead of ERROR(ENOSPC)")]
    [InlineData("reply to DIRECTORY: ERROR(ENOSPC) instead of ERROR(EAGAIN)")]
    // The sixth session's campaign: neither READ nor GET_PERMS answers EEXIST or ENOSPC for real.
    [InlineData("reply to GET_PERMS: ERROR(EEXIST) instead of ERROR(ENOSPC)")]
    [InlineData("reply to READ: ERROR(EEXIST) instead of ERROR(ENOSPC)")]
    [InlineData("no live update done yet: reply to DIRECTORY (negative domid): ERROR(EAGAIN) instead of ERROR(EACCES)")]
    [InlineData("no live update done yet: reply to MKDIR (negative domid): ERROR(EACCES) instead of ERROR(EAGAIN)")]
    // SET_PERMS naming a negative domid's domain, which the update dropped (StepNames tags the ACL's domid).
    [InlineData("reply to SET_PERMS (negative domid): ERROR(ENOENT) instead of SET_PERMS")]
    [InlineData("reply to SET_TARGET (reserved domid): ERROR(ENOENT) instead of SET_TARGET")]
    [InlineData("reply to unknown type (reserved domid): closed in A, answered in B")]
    public void Every_understood_C_xenstored_live_update_difference_is_known(string signature)
    {
        Assert.NotNull(Known.Match(new RunDescription(PairMode.LiveUpdate, DaemonKind.Xenstored), signature));
    }

    /// <summary>
    /// Found in the C daemon's campaign but not allow-listed, because their signatures are too generic
    /// to list without hiding other causes: most come from SET_TARGET of dom0 (or of a domid the daemon
    /// reads as 0) followed by RELEASE after the update. (The SET_PERMS ENOENT ones of a domain with a
    /// negative domid that the update dropped now carry its tag and are known; untagged, they stay new.)
    /// </summary>
    [Theory]
    [InlineData("drain: WATCH_EVENT extra in A")]
    [InlineData("end: state differs in [node missing in A: *]")]
    [InlineData("end: state differs in [node missing in A: /local]")]
    [InlineData("end: state differs in [node missing in A: /tool]")]
    [InlineData("reply to DIRECTORY: WATCH_EVENT instead of DIRECTORY")]
    [InlineData("reply to GET_PERMS: ERROR(EACCES) instead of ERROR(ENOENT)")]
    [InlineData("reply to MKDIR: ERROR(EACCES) instead of MKDIR")]
    [InlineData("reply to READ: WATCH_EVENT instead of ERROR(ENOENT)")]
    [InlineData("reply to RELEASE: WATCH_EVENT instead of RELEASE")]
    [InlineData("reply to RM: ERROR(EACCES) instead of RM")]
    [InlineData("reply to SET_PERMS: ERROR(ENOENT) instead of ERROR(EINVAL)")]
    [InlineData("reply to SET_PERMS: ERROR(ENOENT) instead of SET_PERMS")]
    [InlineData("reply to SET_PERMS: WATCH_EVENT instead of ERROR(EINVAL)")]
    [InlineData("reply to TRANSACTION_END: WATCH_EVENT instead of ERROR(ENOENT)")]
    [InlineData("reply to TRANSACTION_START: WATCH_EVENT instead of TRANSACTION_START")]
    [InlineData("reply to WRITE: ERROR(EACCES) instead of WRITE")]
    // EAGAIN is a real answer at TRANSACTION_END (a conflict), ENOSPC a real one of a quota: not errno
    // left over.
    [InlineData("reply to TRANSACTION_END: ERROR(EACCES) instead of ERROR(EAGAIN)")]
    [InlineData("reply to WATCH: ERROR(EEXIST) instead of ERROR(ENOSPC)")]
    [InlineData("reply to WRITE: ERROR(EAGAIN) instead of ERROR(ENOSPC)")]
    [InlineData("reply to SET_PERMS: ERROR(EAGAIN) instead of ERROR(ENOSPC)")]
    [InlineData("reply to WRITE: ERROR(ENOSPC) instead of ERROR(EAGAIN)")]
    [InlineData("no live update done yet: reply to TRANSACTION_END (negative domid): ERROR(EAGAIN) instead of ERROR(EACCES)")]
    // A death that names only its signal: an entry would hide every other abort or segfault (see the
    // README's "Classified, and kept out of the allow-list on purpose").
    [InlineData("A died: killed by signal 6")]
    [InlineData("B died: killed by signal 6")]
    [InlineData("A died: killed by signal 11")]
    [InlineData("live update failed: daemon died: killed by signal 6")]
    [InlineData("live update failed: daemon died: killed by signal 11")]
    // A stub domain introduced before its target loses it at the update (README, same section): a lost
    // permission of any cause reads the same.
    [InlineData("reply to READ: ERROR(EACCES) instead of READ")]
    [InlineData("reply to SET_PERMS: ERROR(EACCES) instead of ERROR(EPERM)")]
    // ACL entries of a domain introduced after the update are ignored (SECURITY.md, under embargo).
    [InlineData("reply to MKDIR: MKDIR instead of ERROR(EACCES)")]
    // The lost-port consequences are oxenstored's (its entry is [lu oxenstored]).
    [InlineData("live update: state differs in [node extra in A: *] (after a ring step neither side answered)")]
    public void Unlisted_C_xenstored_differences_stay_new(string signature)
    {
        Assert.Null(Known.Match(new RunDescription(PairMode.LiveUpdate, DaemonKind.Xenstored), signature));
    }

    /// <summary>The diff campaign (before the model's DEBUG xenbus was fixed, which removed that group).</summary>
    [Theory]
    [InlineData("drain: the same packets in another order (after a live update)")]
    [InlineData("end drain: the same packets in another order (after a live update)")]
    [InlineData("live update: state differs in [node extra in A: /@introduceDomain] (after a live update)")]
    [InlineData("live update: state differs in [node extra in A: /@releaseDomain] (after a live update)")]
    [InlineData("live update: state differs in [node extra in A: /tool/xenstored] (after a live update)")]
    [InlineData("live update: state differs in [node extra in A: /tool] (after a live update)")]
    [InlineData("live update: state differs in [node missing in A: * (out-of-range domid in perms)] (after a live update)")]
    [InlineData("live update: state differs in [node missing in A: * (unreadable)] (after a live update)")]
    [InlineData("live update: state differs in [node missing in A: /local (out-of-range domid in perms)] (after a live update)")]
    [InlineData("live update: state differs in [node missing in A: /local/domain (out-of-range domid in perms)] (after a live update)")]
    [InlineData("live update: state differs in [order] (after a live update)")]
    [InlineData("live update: state differs in [perms and value: / (out-of-range domid in perms)] (after a live update)")]
    [InlineData("live update: state differs in [perms and value: /@releaseDomain (out-of-range domid in perms)] (after a live update)")]
    [InlineData("live update: state differs in [perms: / (out-of-range domid in perms)] (after a live update)")]
    [InlineData("live update: state differs in [perms: /@introduceDomain (out-of-range domid in perms)] (after a live update)")]
    [InlineData("live update: state differs in [perms: /@releaseDomain (out-of-range domid in perms)] (after a live update)")]
    [InlineData("live update: state differs in [value: /tool/xenstored] (after a live update)")]
    [InlineData("reply to DEBUG mfn (negative domid): DEBUG payload (after a live update)")]
    [InlineData("reply to DEBUG watches: DEBUG payload (after a live update)")]
    [InlineData("A died: killed by signal 11")]
    [InlineData("reply to GET_DOMAIN_PATH: no answer in A, answered in B")]
    [InlineData("reply to WATCH: no answer in A, answered in B (after a live update)")]
    [InlineData("reply to DEBUG watches: DEBUG payload (same lines, other order)")]
    [InlineData("reply to MKDIR: the same packets in another order (after a live update)")]
    [InlineData("reply to READ: the same packets in another order (after a live update)")]
    [InlineData("reply to RELEASE (negative domid): ERROR(EINVAL) instead of RELEASE (after a live update)")]
    [InlineData("reply to RESUME (negative domid): ERROR(EINVAL) instead of RESUME (after a live update)")]
    [InlineData("reply to SET_PERMS: the same packets in another order (after a live update)")]
    [InlineData("reply to TRANSACTION_START: TRANSACTION_START payload (after a live update)")]
    [InlineData("reply to WRITE: the same packets in another order (after a live update)")]
    [InlineData("end drain: WATCH_EVENT extra in A")]
    [InlineData("reply to unknown type: the same packets in another order (after a live update)")]
    [InlineData("reply to unknown type: no answer in A, answered in B (after a live update)")]
    [InlineData("reply to GET_DOMAIN_PATH (reserved domid): no answer in A, answered in B")]
    public void Every_model_versus_oxenstored_difference_found_is_known(string signature)
    {
        Assert.NotNull(Known.Match(new RunDescription(PairMode.Diff, DaemonKind.Oxenstored), signature));
    }

    [Theory]
    [InlineData("reply to DEBUG xenbus: DEBUG payload")]
    [InlineData("live update: state differs in [node missing in A: *]")]
    [InlineData("live update: state differs in [perms: *]")]
    [InlineData("reply to WRITE: WRITE payload")]
    [InlineData("reply to RELEASE: ERROR(EINVAL) instead of RELEASE")]
    [InlineData("no live update done yet: reply to DEBUG watches: DEBUG payload")]
    [InlineData("A died: xenstored_core.c:2118: consider_message: Assertion `conn->in == NULL' failed.")]
    [InlineData("reply to DEBUG quota: DEBUG payload")]
    [InlineData("reply to TRANSACTION_START: TRANSACTION_START extra in A")]
    [InlineData("no live update done yet: reply to READ: READ extra in A (after a ring step neither side answered)")]
    public void Unexplained_differences_are_not_known(string signature)
    {
        Assert.Null(Known.Match(new RunDescription(PairMode.LiveUpdate, DaemonKind.Oxenstored), signature));
    }
}
