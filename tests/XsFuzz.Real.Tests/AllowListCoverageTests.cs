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
    [InlineData("reply to SET_PERMS: the same packets in another order")]
    [InlineData("reply to TRANSACTION_START: TRANSACTION_START payload")]
    [InlineData("reply to WRITE: the same packets in another order")]
    public void Every_oxenstored_live_update_difference_found_is_known(string signature)
    {
        Assert.NotNull(Known.Match(new RunDescription(RunMode.LiveUpdate, DaemonKind.Oxenstored), signature));
    }

    [Theory]
    [InlineData("live update: state differs in [node missing in A: *]")]
    [InlineData("live update: state differs in [perms: *]")]
    [InlineData("reply to WRITE: WRITE payload")]
    [InlineData("reply to RELEASE: ERROR(EINVAL) instead of RELEASE")]
    [InlineData("no live update done yet: reply to DEBUG watches: DEBUG payload")]
    [InlineData("A died: xenstored_core.c:2118: consider_message: Assertion `conn->in == NULL' failed.")]
    public void Unexplained_differences_are_not_known(string signature)
    {
        Assert.Null(Known.Match(new RunDescription(RunMode.LiveUpdate, DaemonKind.Oxenstored), signature));
    }
}
