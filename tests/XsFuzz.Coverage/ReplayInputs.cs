using XsFuzz.Harness;
using XsFuzz.Harness.Reporting;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Coverage;

/// <summary>
/// Runs every input of the folder named by XSFUZZ_COVERAGE_INPUTS through the live-update property, as
/// `xsfuzz replay` does, while coverlet records which lines and branches of the model ran. A missing or
/// empty folder fails: there is no silent "nothing measured".
/// </summary>
public sealed class ReplayInputs
{
    [Fact]
    public void Replay_every_input()
    {
        var folder = Environment.GetEnvironmentVariable("XSFUZZ_COVERAGE_INPUTS");
        Assert.False(string.IsNullOrEmpty(folder), "XSFUZZ_COVERAGE_INPUTS is not set (run scripts/coverage.sh)");
        var files = Directory.GetFiles(folder);
        Assert.NotEmpty(files);
        var faultName = Environment.GetEnvironmentVariable("XSFUZZ_COVERAGE_FAULT");
        var fault = LiveUpdateFault.None;
        Assert.True(string.IsNullOrEmpty(faultName) || FaultCatalog.TryParse(faultName, out fault), $"unknown fault '{faultName}'");
        int agree = 0, disagree = 0, crashed = 0;
        foreach (var file in files)
        {
            try
            {
                Agreement.Check(File.ReadAllBytes(file), fault, HarnessOptions.Default);
                agree++;
            }
            catch (Disagreement)
            {
                disagree++;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                crashed++;   // a model crash is coverage too; replay.sh reports it
            }
        }
        Console.WriteLine($"coverage inputs: {files.Length} replayed: {agree} agree, {disagree} disagree, {crashed} crashed the model");
    }
}
