using XsFuzz.TestSupport.Conformance;
namespace XsFuzz.Xenstore.Tests.Conformance;

/// <summary>
/// Ground truth from the real daemon: each trace in <c>tests/conformance</c> was run by
/// <c>scripts/conformance.sh</c> against Debian 12's oxenstored (fresh daemon per trace), and the
/// model must print exactly what xsclient.py printed for it.
/// </summary>
public class TraceReplayTests
{
    [Theory]
    [MemberData(nameof(TraceFiles.Names), MemberType = typeof(TraceFiles))]
    public void Model_answers_like_oxenstored(string trace)
    {
        var recordedPath = TraceFiles.RecordedPath(trace);
        Assert.True(File.Exists(recordedPath), $"no recording {recordedPath}: run scripts/conformance.sh");
        var expected = OutputComparison.ReadRecorded(recordedPath);

        var actual = TraceReplayer.Run(File.ReadLines(TraceFiles.TracePath(trace)));

        var difference = OutputComparison.FirstDifference(expected, [.. actual]);
        Assert.True(difference is null, $"{trace}.jsonl: {difference}");
    }
}
