namespace XsFuzz.Xenstore.Domains;

/// <summary>
/// An introduced domain: its ring page frame and the event channel port it was introduced with.
/// The model has no hypervisor: mapping the page and binding the channel always succeed, as they do
/// with the oracle's stub libraries.
/// </summary>
internal sealed class Domain(int domid, long mfn, long remotePort)
{
    public int Domid { get; } = domid;
    public long Mfn { get; } = mfn;
    /// <summary>Re-bound by a repeated INTRODUCE with the same mfn from another connection.</summary>
    public long RemotePort { get; set; } = remotePort;
}
