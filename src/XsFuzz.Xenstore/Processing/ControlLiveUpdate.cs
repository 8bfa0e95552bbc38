using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Processing;

/// <summary>
/// CONTROL <c>live-update</c> arguments (spec §9.1), after the final piece was dropped. Replies carry
/// no trailing NUL; null means the plain <c>OK\0</c>. The model cannot exec a binary to validate
/// <c>-f</c>/<c>-c</c>, so it accepts them.
/// </summary>
internal static class ControlLiveUpdate
{
    public static string? Run(Daemon daemon, List<string> args)
    {
        var state = daemon.UpdateRequest;
        switch (args)
        {
            case ["-f", var file]:
                state = state with { Binary = file };
                break;
            case ["-a"]:
                state = state with { Pending = false, Result = [] };
                break;
            case ["-c", .. var extra]:
                state = state with { ExtraArguments = [.. state.ExtraArguments, .. extra] };
                break;
            case ["-s", ..]:
                if (!state.Pending && state.Result.Count == 0)
                {
                    if (!TryParseStart(args, out var timeout, out var force, out var problem)) return problem;
                    state = state with { Pending = true, TimeoutSeconds = timeout, Force = force };
                }
                break;
            default:
                return "Unknown arguments: " + string.Join(',', args);
        }
        daemon.UpdateRequest = state;
        if (state.Pending) return "BUSY";
        if (state.Result.Count == 0) return null;
        daemon.UpdateRequest = state with { Result = [] };
        return string.Join('\n', state.Result);
    }

    /// <summary><c>-s [-t SECONDS] [-F]</c>, like OCaml's Arg module (messages approximated).</summary>
    private static bool TryParseStart(List<string> args, out long timeout, out bool force, out string problem)
    {
        timeout = 60;
        force = false;
        problem = "";
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-F":
                    force = true;
                    break;
                case "-t" when i + 1 < args.Count && OcamlInt.TryParseInt(args[i + 1], out var seconds):
                    timeout = seconds;
                    i++;
                    break;
                case "-t" when i + 1 < args.Count:
                    problem = $"live-update -s: wrong argument '{args[i + 1]}'; option '-t' expects an integer.";
                    return false;
                case "-t":
                    problem = "live-update -s: option '-t' needs an argument.";
                    return false;
                default:
                    problem = args[i].StartsWith('-') ? $"live-update -s: unknown option '{args[i]}'." : args[i];
                    return false;
            }
        }
        return true;
    }
}
