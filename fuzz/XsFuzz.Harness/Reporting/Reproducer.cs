using System.Globalization;
using System.Text;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness.Reporting;

/// <summary>The command line that replays an input with the same fault and decoding bounds.</summary>
public static class Reproducer
{
    public static string CommandLine(string base64, LiveUpdateFault fault, HarnessOptions options)
    {
        var line = new StringBuilder("xsfuzz replay --base64 ").Append(base64);
        if (fault != LiveUpdateFault.None) line.Append(" --fault ").Append(FaultCatalog.NameOf(fault));
        // A pinned configuration is not in the input's bytes: the line must pin it again (a file by its name).
        if (options.Configs.Count == 1) line.Append(" --config ").Append(options.Configs[0].Name);
        if (options.MaxCommands != HarnessOptions.Default.MaxCommands)
            line.Append(" --max-commands ").Append(options.MaxCommands.ToString(CultureInfo.InvariantCulture));
        return line.ToString();
    }
}
