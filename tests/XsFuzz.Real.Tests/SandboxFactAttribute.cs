using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.Real.Tests;

/// <summary>
/// A test that starts Debian's daemons. It is skipped when the sandbox is not set up
/// (scripts/real-sandbox.sh setup), unless XSFUZZ_REAL_TESTS=1, which scripts/test-real.sh sets after
/// setting it up: then a missing sandbox fails the test instead.
/// </summary>
public sealed class SandboxFactAttribute : FactAttribute
{
    public SandboxFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("XSFUZZ_REAL_TESTS") == "1") return;
        if (!SandboxFixture.LooksReady()) Skip = "the real-daemon sandbox is not set up (scripts/real-sandbox.sh setup)";
    }
}

/// <summary>The sandbox's layout, prepared once for all tests (XSFUZZ_REAL_CACHE chooses the cache).</summary>
public static class SandboxFixture
{
    private static readonly Lazy<SandboxLayout> Prepared = new(() =>
        SandboxLayout.Prepare(null, Environment.GetEnvironmentVariable("XSFUZZ_REAL_CACHE")));

    public static SandboxLayout Layout => Prepared.Value;

    /// <summary>The cache has built stubs (checked without running anything).</summary>
    public static bool LooksReady()
    {
        var cache = Environment.GetEnvironmentVariable("XSFUZZ_REAL_CACHE");
        if (cache is null && SandboxLayout.FindScript() is { } script)
            cache = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(script)))!, "build", "real");
        return cache is not null && File.Exists(Path.Combine(cache, "lib", ".stamp"));
    }
}
