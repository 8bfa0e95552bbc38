namespace XsFuzz.Real.Tests;

/// <summary>A <see cref="SandboxFactAttribute"/> with data: skipped the same way without the sandbox.</summary>
public sealed class SandboxTheoryAttribute : TheoryAttribute
{
    public SandboxTheoryAttribute()
    {
        if (Environment.GetEnvironmentVariable("XSFUZZ_REAL_TESTS") == "1") return;
        if (!SandboxFixture.LooksReady()) Skip = "the real-daemon sandbox is not set up (scripts/real-sandbox.sh setup)";
    }
}
