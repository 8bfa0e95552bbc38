using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Transactions;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Processing;

/// <summary>
/// oxenstored's <c>process_packet</c> (spec §1.5-1.6, §5.5): find the transaction, run the handler,
/// apply the request quota, log the request in its transaction, send the reply, then fire what
/// follows the reply (watch events of a plain store change, a new watch's initial event).
/// </summary>
internal static class RequestProcessor
{
    public static void Process(Daemon daemon, Connection connection, Packet request)
    {
        var type = request.Type;
        var tid = type is (uint)Op.Watch or (uint)Op.Unwatch ? Transaction.None : request.TxId;
        Transaction? transaction;
        if (tid == Transaction.None) transaction = new Transaction(Transaction.None, daemon.Live);
        else if (!connection.Transactions.TryGetValue(tid, out transaction))
        {
            SendError(connection, request.RequestId, tid, XsError.EIO);
            return;
        }

        var context = new RequestContext(daemon, connection, transaction, request);
        var response = Execute(context);
        if (context.Unhandled)
        {
            SendError(connection, request.RequestId, tid, XsError.EIO);
            return;
        }
        if (transaction.ExceedsRequestQuota(daemon.Config.MaxRequests, context.Privileged))
            response = Response.Fail(XsError.EQUOTA);
        else if (tid != Transaction.None)
            transaction.Log.Add(new LoggedRequest(request, response));

        switch (response.Kind)
        {
            case ResponseKind.Error:
                SendError(connection, request.RequestId, tid, response.Error);
                break;
            case ResponseKind.Reply:
                connection.Send(type, request.RequestId, tid, response.Data);
                break;
            default:
                connection.Send(type, request.RequestId, tid, "OK\0"u8);
                AfterAck(context);
                break;
        }
    }

    /// <summary>OCaml's <c>input_handle_error</c>: the request quota, then the handler.</summary>
    public static Response Execute(RequestContext context)
    {
        if (context.Transaction.ExceedsRequestQuota(context.Daemon.Config.MaxRequests, context.Privileged))
            return Response.Fail(XsError.EQUOTA);
        return context.Request.Type switch
        {
            (uint)Op.Control => ControlRequests.Control(context),
            (uint)Op.Watch => WatchRequests.Watch(context),
            (uint)Op.Unwatch => WatchRequests.Unwatch(context),
            (uint)Op.ResetWatches => WatchRequests.ResetWatches(context),
            (uint)Op.TransactionStart => TransactionRequests.Start(context),
            (uint)Op.TransactionEnd => TransactionRequests.End(context),
            (uint)Op.Introduce => DomainRequests.Introduce(context),
            (uint)Op.Release => DomainRequests.Release(context),
            (uint)Op.Resume => DomainRequests.Resume(context),
            (uint)Op.IsDomainIntroduced => DomainRequests.IsIntroduced(context),
            (uint)Op.SetTarget => DomainRequests.SetTarget(context),
            _ => ExecuteSimple(context),
        };
    }

    /// <summary>
    /// The ops a transaction replay may re-run (OCaml's <c>function_of_type_simple_op</c>): the store
    /// ops, GET_DOMAIN_PATH, and WATCH_EVENT/ERROR sent as requests (which answer ENOSYS).
    /// </summary>
    public static bool IsReplayable(uint type) => type is (uint)Op.Directory or (uint)Op.Read or (uint)Op.GetPerms
        or (uint)Op.GetDomainPath or (uint)Op.Write or (uint)Op.Mkdir or (uint)Op.Rm or (uint)Op.SetPerms
        or (uint)Op.WatchEvent or (uint)Op.Error;

    private static Response ExecuteSimple(RequestContext context) => context.Request.Type switch
    {
        (uint)Op.Read => StoreRequests.Read(context),
        (uint)Op.Directory => StoreRequests.Directory(context),
        (uint)Op.GetPerms => StoreRequests.GetPerms(context),
        (uint)Op.GetDomainPath => StoreRequests.GetDomainPath(context),
        (uint)Op.Write => StoreRequests.Write(context),
        (uint)Op.Mkdir => StoreRequests.Mkdir(context),
        (uint)Op.Rm => StoreRequests.Rm(context),
        (uint)Op.SetPerms => StoreRequests.SetPerms(context),
        _ => Response.Fail(XsError.ENOSYS), // WATCH_EVENT, ERROR, RESTRICT, DIRECTORY_PART, unknown
    };

    private static void AfterAck(RequestContext context)
    {
        if (context.NewWatch is { } watch)
        {
            context.Daemon.Events.FireInitial(watch);
            return;
        }
        if (context.Transaction.Id != Transaction.None) return;
        if (!context.Daemon.Events.FireFor(context.Transaction, context.Connection))
        {
            // oxenstored raised while firing, after the OK went out: its catch-all adds an EIO.
            SendError(context.Connection, context.Request.RequestId, Transaction.None, XsError.EIO);
        }
    }

    public static void SendError(Connection connection, uint rid, uint tid, XsError error) =>
        connection.Send((uint)Op.Error, rid, tid, Latin1.NulTerminated(error.ToString()));
}
