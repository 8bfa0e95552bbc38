using XsFuzz.Harness.Reporting;
using XsFuzz.Harness.Running;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Harness;

/// <summary>A failing input found by <see cref="RandomCheck"/>: a disagreement, or the model itself crashed.</summary>
public sealed record CheckFailure(long Iteration, byte[] Input, Disagreement? Disagreement, Exception? Crash);

/// <summary>How far a random check got.</summary>
public sealed record CheckResult(long Iterations, RunStats Stats, CheckFailure? Failure);

/// <summary>
/// Random mode: seeded random byte strings through the same decoder and property as AFL's inputs. No
/// clock here: the caller decides when to stop (iteration bound, or its own time limit via
/// <paramref name="keepGoing"/>, asked every iteration with the count so far).
/// </summary>
public static class RandomCheck
{
    public static CheckResult Run(int seed, long maxIterations, LiveUpdateFault fault, HarnessOptions options,
        Func<long, RunStats, bool>? keepGoing = null)
    {
        var inputs = new RandomInputs(seed);
        var stats = new RunStats();
        long iteration = 0;
        while (iteration < maxIterations && (keepGoing is null || keepGoing(iteration, stats)))
        {
            var input = inputs.Next(options.MaxCommands);
            iteration++;
            try
            {
                stats.Add(Agreement.Check(input, fault, options));
            }
            catch (Disagreement d)
            {
                return new CheckResult(iteration, stats, new CheckFailure(iteration, input, d, null));
            }
            catch (Exception e)
            {
                return new CheckResult(iteration, stats, new CheckFailure(iteration, input, null, e));
            }
        }
        return new CheckResult(iteration, stats, null);
    }
}
