using System.CommandLine;
using SharpFuzz;
using XsFuzz.Harness;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz libfuzzer [--fault NAME]`: the same harness target as `xsfuzz afl`, served to libFuzzer through
/// SharpFuzz's Fuzzer.LibFuzzer.Run. It is started by the C driver in scripts/libfuzzer/driver.c (built by
/// scripts/fuzz-libfuzzer.sh or .clusterfuzzlite/build.sh), which hands it each input through shared memory
/// and a pair of pipes and copies the coverage map back into libFuzzer's counters. A disagreement is an
/// unhandled exception: SharpFuzz prints it (the report) and reports a crash, the driver traps, and libFuzzer
/// saves the input, which replays with `xsfuzz replay FILE --fault NAME`.
/// </summary>
internal static class LibFuzzerCommand
{
    /// <summary>The variables the driver sets; without all three SharpFuzz would read argv[1] as an input file.</summary>
    private static readonly string[] DriverVariables =
        ["__LIBFUZZER_SHM_ID", "__LIBFUZZER_CONTROL_PIPE_ID", "__LIBFUZZER_STATUS_PIPE_ID"];

    public static Command Create(CliIo io)
    {
        var fault = CommonOptions.Fault();
        var command = new Command("libfuzzer", "run as the target of the libFuzzer driver (scripts/fuzz-libfuzzer.sh starts it)") { fault };
        command.SetAction(parse =>
        {
            var faultValue = CommonOptions.ParseFault(parse.GetValue(fault));
            var missing = DriverVariables.Where(v => Environment.GetEnvironmentVariable(v) is null).ToList();
            if (missing.Count > 0)
                throw new UsageException($"'xsfuzz libfuzzer' only runs under the libFuzzer driver ({string.Join(", ", missing)} not set); " +
                    "use scripts/fuzz-libfuzzer.sh, or 'xsfuzz replay FILE' for one input");
            Fuzzer.LibFuzzer.Run(HarnessTarget(faultValue));
            return XsfuzzApp.Ok;
        });
        _ = io;
        return command;
    }

    /// <summary>
    /// The harness target. The input is copied out of the shared memory (a span cannot be captured by the
    /// re-run closure); the <see cref="FirstUseFilter"/> hides .NET's one-time initialisation from the
    /// coverage, as for AFL, so libFuzzer does not keep inputs whose only new feature was a static
    /// constructor.
    /// </summary>
    private static ReadOnlySpanAction HarnessTarget(LiveUpdateFault fault)
    {
        var buffer = Array.Empty<byte>();
        var filter = new FirstUseFilter();
        return span =>
        {
            if (buffer.Length < span.Length) buffer = new byte[Math.Max(span.Length, 2 * buffer.Length)];
            span.CopyTo(buffer);
            var input = buffer.AsMemory(0, span.Length);
            filter.Run(() => Agreement.Check(input.Span, fault, HarnessOptions.Default));
        };
    }
}
