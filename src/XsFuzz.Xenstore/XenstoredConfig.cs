namespace XsFuzz.Xenstore;

/// <summary>
/// The daemon's configuration. Defaults are Debian 12's <c>/etc/xen/oxenstored.conf</c> for
/// oxenstored 4.17 (spec §5.1): the values a real host runs with.
/// </summary>
public sealed record XenstoredConfig
{
    /// <summary>quota-maxentity: nodes one domain may own.</summary>
    public int MaxEntity { get; init; } = 1000;
    /// <summary>quota-maxsize: longest value in bytes (applies to dom0 too).</summary>
    public int MaxSize { get; init; } = 2048;
    /// <summary>quota-maxwatch: watches per unprivileged connection (off by one: one more is allowed).</summary>
    public int MaxWatch { get; init; } = 100;
    /// <summary>quota-transaction: open transactions per unprivileged connection (off by one too).</summary>
    public int MaxTransaction { get; init; } = 10;
    /// <summary>quota-maxrequests: requests per transaction for unprivileged connections; &lt; 0 disables.</summary>
    public int MaxRequests { get; init; } = 1024;
    /// <summary>quota-path-max: longest path, measured after a <c>/local/domain/N/</c> prefix.</summary>
    public int PathMax { get; init; } = 1024;
    /// <summary>
    /// quota-maxoutstanding: replies a connection's output queue may hold; while it is full (or its own
    /// watch events wait, see <see cref="MaxWatchEvents"/>) the connection's requests are not read.
    /// </summary>
    public int MaxOutstanding { get; init; } = 1024;
    /// <summary>
    /// quota-maxwatchevents: watch events a connection's output queue may hold, and again each watch's
    /// own queue before it; an event that fits in neither waits with the writer that caused it, and
    /// stops that writer's requests being read (oxenstored 4.17's XSA-326 limits).
    /// </summary>
    public int MaxWatchEvents { get; init; } = 1024;
    /// <summary>quota-activate: gates the entry, value-size and watch quotas.</summary>
    public bool QuotaActivate { get; init; } = true;
    /// <summary>perms-activate: permission checks on store operations.</summary>
    public bool PermsActivate { get; init; } = true;
    /// <summary>perms-watch-activate: the READ filter on watch events.</summary>
    public bool PermsWatchActivate { get; init; } = true;
    /// <summary>merge-activate: commit by coalescing when the live tree moved on.</summary>
    public bool MergeActivate { get; init; } = true;
    /// <summary>allow-debug: let unprivileged connections use CONTROL/DEBUG.</summary>
    public bool AllowDebug { get; init; }
    /// <summary>
    /// The value oxenstored writes to <c>/tool/xenstored</c> at start: its resolved executable path, which on
    /// Debian 12 is the binary behind the /usr/sbin/oxenstored wrapper.
    /// </summary>
    public string ToolXenstoredValue { get; init; } = "/usr/lib/xen-4.17/bin/oxenstored";
    /// <summary>dom0's event channel port, read by oxenstored from xsd_port (1 on the oracle).</summary>
    public long Dom0EventChannel { get; init; } = 1;

    public static XenstoredConfig Debian { get; } = new();
}
