using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Transactions;

internal enum ResponseKind : byte
{
    /// <summary><c>OK\0</c> with the request's type.</summary>
    Ack,
    /// <summary>A data reply with the request's type.</summary>
    Reply,
    /// <summary>An ERROR packet naming the error.</summary>
    Error,
}

/// <summary>
/// What a request answered, before it becomes a packet. Transactions log these for replay, where two
/// responses are equal when both are acks, or both carry the same bytes or error (spec §6.4).
/// </summary>
internal readonly record struct Response(ResponseKind Kind, byte[] Data, XsError Error)
{
    public static readonly Response Ack = new(ResponseKind.Ack, [], XsError.None);

    public static Response Reply(byte[] data) => new(ResponseKind.Reply, data, XsError.None);

    public static Response Fail(XsError error) => new(ResponseKind.Error, [], error);

    /// <summary>OCaml's <c>Packet.response_equal</c>.</summary>
    public bool SameAs(Response other) =>
        Kind == other.Kind && Error == other.Error && Data.AsSpan().SequenceEqual(other.Data);
}
