using XsFuzz.Xenstore.Migration;
using System.CommandLine;

namespace XsFuzz.Cli.Commands;

/// <summary>`xsfuzz faults`: the planted live-update bugs, one per line: name and description.</summary>
internal static class FaultsCommand
{
    public static Command Create(CliIo io)
    {
        var command = new Command("faults", "list the planted live-update bugs for --fault");
        command.SetAction(_ =>
        {
            var width = FaultCatalog.All.Max(f => FaultCatalog.NameOf(f).Length);
            foreach (var fault in FaultCatalog.All)
                io.Out.WriteLine(FaultCatalog.NameOf(fault).PadRight(width + 2) + FaultCatalog.Describe(fault));
            return XsfuzzApp.Ok;
        });
        return command;
    }
}
