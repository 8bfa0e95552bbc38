namespace XsFuzz.RealDaemons.Mapping;

/// <summary>Why a scenario command is not sent to a real daemon (and not to the model either, in diff).</summary>
public enum SkipReason
{
    /// <summary>A socket beyond A2, which the scenario never opened: the model ignores it, so nothing is sent.</summary>
    UnknownConnection,
    /// <summary>CONTROL live-update: it would start a real live update on both daemons; the runner does them.</summary>
    ControlLiveUpdate,
    /// <summary>Over 4096 bytes: oxenstored clamps the length and reads the rest as the next header.</summary>
    OversizedPayload,
}

public static class SkipReasons
{
    public static string Describe(this SkipReason reason) => reason switch
    {
        SkipReason.UnknownConnection => "socket the scenario never opened",
        SkipReason.ControlLiveUpdate => "CONTROL live-update (the runner performs the updates)",
        _ => "payload over 4096 bytes",
    };
}
