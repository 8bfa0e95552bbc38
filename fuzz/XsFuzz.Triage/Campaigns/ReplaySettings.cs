using XsFuzz.Harness;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Triage.Campaigns;

/// <summary>
/// What an input is replayed with: the target, the planted fault, the decoding bounds and configuration,
/// and the campaign they were read from (null: from flags only).
/// </summary>
public sealed record ReplaySettings(string Target, LiveUpdateFault Fault, HarnessOptions Options, CampaignMarker? Campaign)
{
    public string FaultName => Fault == LiveUpdateFault.None ? "none" : FaultCatalog.NameOf(Fault);

    /// <summary>The pinned configuration's name (what --config replays it), null when each input chooses.</summary>
    public string? ConfigName => Options.Configs.Count == 1 ? Options.Configs[0].Name : null;

    /// <summary>One line for the reader: where the settings came from.</summary>
    public string Describe()
    {
        var what = $"target {Target}, fault {FaultName}" + (ConfigName is { } config ? $", config {config}" : "");
        return Campaign is null ? what : $"{what} (campaign {Campaign.MarkerPath})";
    }

    /// <summary>
    /// The settings for an input (null path: a --base64 input, flags only). The campaign folder's marker
    /// decides the fault, the configuration and the target; a flag may repeat it but never contradict it,
    /// so that a crash of a fault campaign cannot be replayed without its fault by mistake (and then
    /// "agree"), nor an input of a --config campaign decoded as if it chose its own configuration (a
    /// pinned configuration reads no configuration byte: the same bytes decode to another scenario).
    /// </summary>
    /// <param name="faultFlag">--fault as given: a fault name, "none", or null when not given.</param>
    /// <param name="targetFlag">--target as given, or null.</param>
    /// <param name="configFlag">--config as given (a variant's name or a file), or null.</param>
    /// <param name="options">The options for a configuration (null: each input chooses); it reports a bad one.</param>
    /// <exception cref="CampaignException">Unknown names, an unreadable marker, or a contradiction.</exception>
    public static ReplaySettings Resolve(string? path, string? faultFlag, string? targetFlag, string? configFlag,
        Func<string?, HarnessOptions> options)
    {
        var campaign = path is null ? null : CampaignMarker.Find(path);
        if (targetFlag is not null && targetFlag != Targets.Model)
            throw new CampaignException($"--target {targetFlag}: this xsfuzz replays the '{Targets.Model}' target only");
        if (campaign is null) return new ReplaySettings(Targets.Model, ParseFault(faultFlag ?? "none"), options(configFlag), null);

        if (campaign.Target != Targets.Model)
            throw new CampaignException($"{campaign.MarkerPath} says target={campaign.Target}; this xsfuzz replays the '{Targets.Model}' target only");
        var campaignFault = campaign.Fault.Length == 0 ? "none" : campaign.Fault;
        var fault = ParseFault(campaignFault, campaign.MarkerPath);
        if (faultFlag is not null && faultFlag != campaignFault)
            throw new CampaignException($"--fault {faultFlag} contradicts {campaign.MarkerPath}, which says the campaign ran with fault "
                + $"'{campaignFault}'; drop --fault (or copy the input out of the campaign folder to replay it otherwise)");
        var campaignConfig = campaign.Config.Length == 0 ? null : campaign.Config;
        if (configFlag is not null && !SameConfig(configFlag, campaignConfig))
            throw new CampaignException($"--config {configFlag} contradicts {campaign.MarkerPath}, which says the campaign ran with "
                + (campaignConfig is null ? "each input choosing its configuration" : $"config '{campaignConfig}'")
                + "; drop --config (or copy the input out of the campaign folder to replay it otherwise)");
        return new ReplaySettings(Targets.Model, fault, options(campaignConfig), campaign);
    }

    /// <summary>A flag repeats the campaign's configuration: the same name, or the same file by another path.</summary>
    private static bool SameConfig(string flag, string? campaign) =>
        campaign is not null && (flag == campaign || (Path.IsPathRooted(campaign) && Path.GetFullPath(flag) == campaign));

    private static LiveUpdateFault ParseFault(string name, string? source = null)
    {
        if (name == "none") return LiveUpdateFault.None;
        if (FaultCatalog.TryParse(name, out var fault)) return fault;
        throw new CampaignException((source is null ? "" : source + ": ")
            + $"unknown fault '{name}'; known: none, {string.Join(", ", FaultCatalog.All.Select(FaultCatalog.NameOf))}");
    }
}
