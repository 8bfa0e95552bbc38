using System.Diagnostics;
using XsFuzz.RealDaemons.Running;
using XsFuzz.RealDaemons.Sandbox;

namespace XsFuzz.Real.Tests;

/// <summary>
/// <see cref="RunBudget"/> and <see cref="ExitWatch.Kill"/>: a run that outlasts its budget has its
/// daemons killed, which is what ends its waits. The runs below wait up to a minute for what only the
/// budget's abort can give them, so a budget that did not fire fails instead of passing late.
/// </summary>
public sealed class RunBudgetTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public void A_run_that_outlasts_its_budget_is_aborted_and_marked()
    {
        using var aborted = new ManualResetEventSlim();
        var budget = new RunBudget(TimeSpan.Zero, aborted.Set);
        var ended = budget.Run(() => aborted.Wait(Long));
        Assert.True(ended);
        Assert.True(budget.Exceeded);
    }

    [Fact]
    public void A_run_within_its_budget_is_not_aborted_even_later()
    {
        var calls = 0;
        var budget = new RunBudget(TimeSpan.FromHours(1), () => calls++);
        Assert.Equal(7, budget.Run(() => 7));
        Assert.False(budget.Exceeded);
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Killing_through_the_watch_ends_the_process()
    {
        using var process = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        using var watch = ExitWatch.Of(process.Id);
        watch.Kill();
        Assert.True(watch.Wait(Long));
        process.WaitForExit();
        Assert.Equal(137, process.ExitCode);
    }
}
