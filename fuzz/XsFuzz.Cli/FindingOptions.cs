using System.CommandLine;
using XsFuzz.Harness;
using XsFuzz.Triage.Campaigns;

namespace XsFuzz.Cli;

/// <summary>
/// Options of the commands that look at findings (replay, shrink, print, check, triage): the target
/// and fault, which by default come from the campaign folder an input is in, and how reports look.
/// </summary>
internal sealed class FindingOptions
{
    public Option<string?> Fault { get; } = new("--fault")
    {
        Description = "the planted live-update bug to replay with ('none' for none); default: the one recorded in the input's campaign folder (.xsfuzz-campaign), else none; contradicting the campaign is an error",
        HelpName = "NAME",
    };

    public Option<string?> Target { get; } = new("--target")
    {
        Description = $"what to replay on; default: the campaign's, else {Targets.Model} (the only one so far)",
        HelpName = "NAME",
    };

    public Option<bool> NoShrink { get; } = new("--no-shrink") { Description = "report failures as they are, without shrinking them first" };

    public Option<bool> Full { get; } = new("--full") { Description = "print long values whole instead of eliding them" };

    public Option<int?> MaxCommands { get; } = CommonOptions.MaxCommands();

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "the daemon configuration to replay with (a variant's name or an oxenstored.conf file); default: the one recorded in the input's campaign folder, else each input's own choice; contradicting the campaign is an error",
        HelpName = "NAME|FILE",
    };

    public void AddTo(Command command, bool shrinking = true, bool reports = true)
    {
        command.Add(Fault);
        command.Add(Target);
        if (shrinking) command.Add(NoShrink);
        if (reports) command.Add(Full);
        command.Add(MaxCommands);
        command.Add(Config);
    }

    /// <summary>The settings for an input at <paramref name="path"/> (null: given as base64).</summary>
    public ReplaySettings Resolve(ParseResult parse, string? path)
    {
        var maxCommands = parse.GetValue(MaxCommands);
        try
        {
            return ReplaySettings.Resolve(path, parse.GetValue(Fault), parse.GetValue(Target), parse.GetValue(Config),
                config => CommonOptions.Harness(maxCommands, config));
        }
        catch (CampaignException e)
        {
            throw new UsageException(path is null ? e.Message : $"{path}: {e.Message}");
        }
    }
}
