namespace XsFuzz.Xenstore.Wire;

/// <summary>
/// The error names oxenstored sends (spec §1.6). <see cref="None"/> means success. Handlers return
/// these instead of throwing: errors are common under fuzzing and exceptions would cost throughput.
/// </summary>
internal enum XsError
{
    None = 0,
    EINVAL,
    EACCES,
    EEXIST,
    ENOENT,
    EAGAIN,
    EBUSY,
    EQUOTA,
    E2BIG,
    ENOSYS,
    EIO,
}
