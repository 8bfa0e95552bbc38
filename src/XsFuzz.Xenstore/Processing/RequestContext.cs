using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Watches;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Processing;

/// <summary>One request being processed: who sent it, in which transaction, and its side outputs.</summary>
internal sealed class RequestContext(Daemon daemon, Connection connection, Transaction transaction, Packet request)
{
    public Daemon Daemon { get; } = daemon;
    public Connection Connection { get; } = connection;
    public Transaction Transaction { get; } = transaction;
    public Packet Request { get; } = request;

    /// <summary>A WATCH that succeeded: its initial event follows the OK.</summary>
    public Watch? NewWatch { get; set; }

    /// <summary>
    /// oxenstored's catch-all: an exception its handler does not map (e.g. a bad INTRODUCE mfn) ends
    /// the request with EIO, unlogged.
    /// </summary>
    public bool Unhandled { get; set; }

    public ReadOnlySpan<byte> Payload => Request.Payload;
    public long Domid => Connection.Domid;
    public bool Privileged => Connection.Perms.IsPrivileged;
}
