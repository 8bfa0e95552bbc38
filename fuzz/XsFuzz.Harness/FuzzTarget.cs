using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness;

/// <summary>
/// The entry point the AFL target (and anything else that fuzzes raw bytes) calls: decode the input,
/// run the agreement property, throw <see cref="Reporting.Disagreement"/> on a visible live update.
/// </summary>
public static class FuzzTarget
{
    public static void Run(ReadOnlySpan<byte> input, LiveUpdateFault fault) =>
        Agreement.Check(input, fault, HarnessOptions.Default);

    public static void Run(ReadOnlySpan<byte> input, LiveUpdateFault fault, HarnessOptions options) =>
        Agreement.Check(input, fault, options);
}
