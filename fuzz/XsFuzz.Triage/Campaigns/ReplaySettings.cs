using XsFuzz.Harness;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Triage.Campaigns;

/// <summary>
/// What an input is replayed with: the target, the planted fault and the decoding bounds, and the
/// campaign they were read from (null: from flags only).
/// </summary>
public sealed record ReplaySettings(string Target, LiveUpdateFault Fault, HarnessOptions Options, CampaignMarker? Campaign)
{
    public string FaultName => Fault == LiveUpdateFault.None ? "none" : FaultCatalog.NameOf(Fault);

    /// <summary>One line for the reader: where the settings came from.</summary>
    public string Describe() => Campaign is null
        ? $"target {Target}, fault {FaultName}"
        : $"target {Target}, fault {FaultName} (campaign {Campaign.MarkerPath})";

    /// <summary>
    /// The settings for an input (null path: a --base64 input, flags only). The campaign folder's marker
    /// decides the fault and target; a flag may repeat it but never contradict it, so that a crash of a
    /// fault campaign cannot be replayed without its fault by mistake (and then "agree").
    /// </summary>
    /// <param name="faultFlag">--fault as given: a fault name, "none", or null when not given.</param>
    /// <param name="targetFlag">--target as given, or null.</param>
    /// <exception cref="CampaignException">Unknown names, an unreadable marker, or a contradiction.</exception>
    public static ReplaySettings Resolve(string? path, string? faultFlag, string? targetFlag, HarnessOptions options)
    {
        var campaign = path is null ? null : CampaignMarker.Find(path);
        if (targetFlag is not null && targetFlag != Targets.Model)
            throw new CampaignException($"--target {targetFlag}: this xsfuzz replays the '{Targets.Model}' target only");
        if (campaign is null) return new ReplaySettings(Targets.Model, ParseFault(faultFlag ?? "none"), options, null);

        if (campaign.Target != Targets.Model)
            throw new CampaignException($"{campaign.MarkerPath} says target={campaign.Target}; this xsfuzz replays the '{Targets.Model}' target only");
        var campaignFault = campaign.Fault.Length == 0 ? "none" : campaign.Fault;
        var fault = ParseFault(campaignFault, campaign.MarkerPath);
        if (faultFlag is not null && faultFlag != campaignFault)
            throw new CampaignException($"--fault {faultFlag} contradicts {campaign.MarkerPath}, which says the campaign ran with fault "
                + $"'{campaignFault}'; drop --fault (or copy the input out of the campaign folder to replay it otherwise)");
        return new ReplaySettings(Targets.Model, fault, options, campaign);
    }

    private static LiveUpdateFault ParseFault(string name, string? source = null)
    {
        if (name == "none") return LiveUpdateFault.None;
        if (FaultCatalog.TryParse(name, out var fault)) return fault;
        throw new CampaignException((source is null ? "" : source + ": ")
            + $"unknown fault '{name}'; known: none, {string.Join(", ", FaultCatalog.All.Select(FaultCatalog.NameOf))}");
    }
}
