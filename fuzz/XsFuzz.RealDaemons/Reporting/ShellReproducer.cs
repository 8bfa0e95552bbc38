using System.Globalization;
using System.Text;
using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Scenarios;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Harness.Running;
using XsFuzz.Xenstore.Domains;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.RealDaemons.Reporting;

/// <summary>
/// A real-daemon finding as a POSIX shell script of Debian's xenstore-utils commands (xenstore-write,
/// -read, -rm, -chmod, -list, -watch, xenstore-control), for a Xen maintainer to run as root in dom0
/// of a real host. Every scenario connection (A1, A2, D0) is a privileged dom0 connection, so the
/// commands keep their meaning when each xenstore-utils call opens its own; what only a held
/// connection can do (transactions, domain management, raw or unknown payloads) stays in the script
/// as a comment, and a scenario that needs domUs says what they must be. The expected (B) and the
/// observed (A) outcome of the divergent step are comments at the top.
/// </summary>
public static class ShellReproducer
{
    /// <summary>Where Debian 12's xen-utils-4.17 puts each daemon's binary (what live-update re-executes).</summary>
    public static string DebianBinary(DaemonKind kind) => "/usr/lib/xen-4.17/bin/" + kind.Name();

    public static string Render(RunDescription run, Scenario scenario, Divergence d)
    {
        var body = new StringBuilder();
        var unsent = new List<string>();
        var watchers = new Dictionary<(ConnectionId, string), int>();
        foreach (var node in scenario.Nodes)
        {
            if (node.Value.Contains('\0', StringComparison.Ordinal) || node.Path.Contains('\0', StringComparison.Ordinal))
            {
                body.Append("# (not sent: a NUL byte cannot be an argument) ").Append(ScenarioText.Node(node)).Append('\n');
                unsent.Add(ScenarioText.Node(node));
                continue;
            }
            body.Append("run xenstore-write ").Append(Arg(node.Path)).Append(' ').Append(Arg(node.Value)).Append('\n');
            if (node.Perms.Count > 0) body.Append("run xenstore-chmod ").Append(Arg(node.Path)).Append(' ').Append(string.Join(' ', node.Perms.Select(Arg))).Append('\n');
        }
        for (var i = 0; i < scenario.Commands.Count; i++)
        {
            var step = i + 1;
            var command = scenario.Commands[i];
            var text = ScenarioText.Command(command);
            body.Append('\n').Append(step == d.Step ? "# >> step " : "# step ").Append(Int(step)).Append(": ").Append(text).Append('\n');
            if (Mapping.ScenarioMapper.IsDomU(command))
            {
                // A guest's request: dom0's tools would send it with dom0's rights and paths.
                body.Append("# (not sent: a guest's request; send it from that guest's xenstore client)\n");
                unsent.Add(Int(step) + ": " + text);
            }
            else if (Shell(command, step, watchers) is { } line) body.Append(line);
            else
            {
                body.Append("# (not sent: xenstore-utils cannot send it)\n");
                unsent.Add(Int(step) + ": " + text);
            }
        }

        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append("# Reproducer of a finding of `xsfuzz real ").Append(run.Command).Append(" --daemon ").Append(run.Kind.Name()).Append("`\n");
        script.Append("#   signature: ").Append(d.Signature).Append('\n');
        script.Append("# To run as root in dom0 of a Xen host running ").Append(run.Kind.Name())
            .Append(", with Debian's xenstore-utils. It changes the\n# live xenstore (the paths below) and live-updates the daemon: use a test host.\n");
        Outcomes(script, run, d);
        Domains(script, scenario);
        if (unsent.Count > 0)
        {
            script.Append("#\n# xenstore-utils cannot send ").Append(Int(unsent.Count)).Append(" of the scenario's steps (they need a client that holds\n");
            script.Append("# its connection, e.g. a transaction, or a raw packet); they are comments below, and the finding may\n# need them:\n");
            foreach (var step in unsent) script.Append("#   ").Append(step).Append('\n');
        }
        script.Append("#\n# xenstore-watch registers its own token, and each command uses a connection of its own: names\n");
        script.Append("# of connections and tokens in the outcomes above differ from what this script prints.\n");
        script.Append("set -u\n");
        script.Append(": \"${XENSTORED_BINARY:=").Append(DebianBinary(run.Kind)).Append("}\"   # what the live update re-executes\n");
        script.Append("work=\"$(mktemp -d)\"\n");
        script.Append("trap 'for p in $(cat \"$work\"/pids 2>/dev/null); do kill \"$p\" 2>/dev/null; done; rm -rf \"$work\"' EXIT\n");
        script.Append("run() { printf '$ %s\\n' \"$*\"; \"$@\" || printf '(exit %d)\\n' \"$?\"; }\n");
        script.Append("watch_start() {  # NAME PATH: a background xenstore-watch, its events in $work/NAME\n");
        script.Append("    printf '$ xenstore-watch %s &\\n' \"$2\"\n");
        script.Append("    xenstore-watch \"$2\" >\"$work/$1\" 2>&1 &\n");
        script.Append("    echo \"$!\" >>\"$work/pids\"\n");
        script.Append("    echo \"$!\" >\"$work/$1.pid\"\n");
        script.Append("    sleep 1\n");
        script.Append("}\n");
        script.Append("watch_stop() {  # NAME: stop it and print what it saw\n");
        script.Append("    kill \"$(cat \"$work/$1.pid\")\" 2>/dev/null\n");
        script.Append("    printf 'events of %s:\\n' \"$1\"; sed 's/^/  /' \"$work/$1\"\n");
        script.Append("}\n");
        script.Append(scenario.Nodes.Count == 0 ? "\n# no initial nodes\n" : "\n# the initial nodes\n");
        script.Append(body);
        var differing = DifferingPaths(d);
        if (differing.Count > 0)
        {
            script.Append("\n# the nodes the trees differ in, as they are now\n");
            foreach (var path in differing) script.Append("run xenstore-read ").Append(Arg(path)).Append('\n');
        }
        if (watchers.Count > 0)
        {
            script.Append("\n# the watches still registered at the end\nsleep 1\n");
            foreach (var n in watchers.Values.Order()) script.Append("watch_stop w").Append(Int(n)).Append('\n');
        }
        script.Append("exit 0\n");
        return script.ToString();
    }

    /// <summary>The command's lines, or null when xenstore-utils cannot send it.</summary>
    private static string? Shell(Command command, int step, Dictionary<(ConnectionId, string), int> watchers)
    {
        if (command is LiveUpdateCommand) return "run xenstore-control live-update \"$XENSTORED_BINARY\"\n";
        if (command is DrainCommand) return "# (each xenstore-watch prints its events as they come: nothing to do)\n";
        if (command is not RequestCommand r || r.Tx != 0) return null;
        if (r.Type == (uint)Op.Write)
        {
            var nul = r.Payload.IndexOf('\0', StringComparison.Ordinal);
            if (nul <= 0 || r.Payload.IndexOf('\0', nul + 1) >= 0) return null; // a NUL in the value cannot be an argument
            return "run xenstore-write " + Arg(r.Payload[..nul]) + " " + Arg(r.Payload[(nul + 1)..]) + "\n";
        }
        if (Pieces(r.Payload) is not { } args) return null;
        switch ((Op)r.Type)
        {
            case Op.Read when args.Count == 1:
                return "run xenstore-read " + Arg(args[0]) + "\n";
            case Op.Directory when args.Count == 1:
                return "run xenstore-list " + Arg(args[0]) + "\n";
            case Op.Rm when args.Count == 1:
                return "run xenstore-rm " + Arg(args[0]) + "\n";
            case Op.SetPerms when args.Count >= 2:
                return "run xenstore-chmod " + string.Join(' ', args.Select(Arg)) + "\n";
            case Op.Control when args.Count >= 1:
                return "run xenstore-control " + string.Join(' ', args.Select(Arg)) + "\n";
            case Op.Watch when args.Count == 2 && !watchers.ContainsKey((r.Connection, args[0])):
                watchers[(r.Connection, args[0])] = step;
                return "watch_start w" + Int(step) + " " + Arg(args[0]) + "\n";
            case Op.Unwatch when args.Count == 2 && watchers.Remove((r.Connection, args[0]), out var started):
                return "watch_stop w" + Int(started) + "\n";
            default:
                return null;
        }
    }

    /// <summary>A payload's NUL-terminated pieces; null when it has no such form or a piece cannot be an argument.</summary>
    private static List<string>? Pieces(string payload)
    {
        if (payload.Length == 0 || payload[^1] != '\0') return null;
        var pieces = payload[..^1].Split('\0').ToList();
        return pieces.Any(p => p.Length == 0) ? null : pieces;
    }

    private static void Outcomes(StringBuilder script, RunDescription run, Divergence d)
    {
        var (expected, observed) = run.Mode == PairMode.LiveUpdate
            ? ("the daemon that was not live-updated (B)", "the live-updated daemon (A)")
            : ("the model of oxenstored (B)", "the real " + run.Kind.Name() + " (A)");
        script.Append("#\n# At step ").Append(Int(d.Step)).Append(d.Command is null ? " (the end)" : ": " + ScenarioText.Command(d.Command)).Append('\n');
        if (d.Updated is not null || d.Reference is not null)
        {
            script.Append("# expected, as ").Append(expected).Append(" answered:\n");
            DeliveryLines(script, d.Reference);
            script.Append("# observed on ").Append(observed).Append(":\n");
            DeliveryLines(script, d.Updated);
        }
        if (d.Failure is not null)
        {
            script.Append("# observed: the live update failed:\n");
            foreach (var line in d.Failure.TrimEnd().Split('\n').Take(6)) script.Append("#   ").Append(line).Append('\n');
        }
        if (d.StateUpdated is not null && d.StateReference is not null)
        {
            script.Append("# the trees differ afterwards (lines - as observed on A, + as expected from B):\n");
            foreach (var line in SnapshotDiff.Unified(d.StateUpdated, d.StateReference).Split('\n').Where(l => l.StartsWith('-') || l.StartsWith('+')).Where(l => !l.StartsWith("---", StringComparison.Ordinal) && !l.StartsWith("+++", StringComparison.Ordinal)).Take(20))
                script.Append("#   ").Append(line).Append('\n');
        }
    }

    /// <summary>The paths that start the state walks' differing lines (a walk line is "PATH  perms ...  value ...").</summary>
    private static List<string> DifferingPaths(Divergence d)
    {
        if (d.StateUpdated is null || d.StateReference is null) return [];
        var a = d.StateUpdated.Split('\n').ToHashSet(StringComparer.Ordinal);
        var b = d.StateReference.Split('\n').ToHashSet(StringComparer.Ordinal);
        return a.Except(b).Concat(b.Except(a))
            .Select(line => line.Split(' ', 2)[0])
            .Where(path => path.StartsWith('/') && !path.Contains('\0', StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Take(10).ToList();
    }

    private static void DeliveryLines(StringBuilder script, Delivery? delivery)
    {
        if (delivery is null || delivery.Packets.Count == 0) script.Append("#   (nothing)\n");
        else foreach (var p in delivery.Packets.Take(10)) script.Append("#   ").Append(p).Append('\n');
        if (delivery?.Ending == Ending.Timeout) script.Append("#   then no answer\n");
        if (delivery?.Ending == Ending.Closed) script.Append("#   then the connection was closed\n");
    }

    private static void Domains(StringBuilder script, Scenario scenario)
    {
        if (scenario.Domains.Count == 0) return;
        script.Append("#\n# NEEDS DOMUS: the scenario starts with ");
        script.Append(string.Join(", ", scenario.Domains.Select(ScenarioText.Domain))).Append(".\n");
        script.Append("# Start a guest with each domid first (the toolstack introduces it to xenstored, e.g. xl create),\n");
        script.Append("# and give it the target shown (xl's device model stub domains get one). A guest's own\n");
        script.Append("# requests (D<domid>) are listed as not sent: run them inside that guest.\n");
    }

    /// <summary>
    /// A word for sh: bytes that are not printable ASCII go through printf's \ooo escapes. NUL cannot be
    /// in an argument (callers leave such commands unsent), and $(...) drops trailing newlines.
    /// </summary>
    private static string Arg(string latin1)
    {
        if (latin1.Length > 0 && latin1.All(c => char.IsAsciiLetterOrDigit(c) || "_@/.+-:,=%".Contains(c))) return latin1;
        if (latin1.All(c => c >= 0x20 && c < 0x7f)) return "'" + latin1.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var octal = new StringBuilder();
        foreach (var c in latin1)
        {
            if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'' && c != '%') octal.Append(c);
            else octal.Append('\\').Append(Convert.ToString(c, 8).PadLeft(3, '0'));
        }
        // $(...) drops trailing newlines: such a value loses them (the header says so).
        return "\"$(printf '" + octal + "')\"";
    }

    private static string Int(int n) => n.ToString(CultureInfo.InvariantCulture);
}
