using XsFuzz.Serve.Tests.Support;
using XsFuzz.TestSupport.Conformance;

namespace XsFuzz.Serve.Tests.Conformance;

/// <summary>
/// The conformance traces recorded from Debian 12's oxenstored (tests/XsFuzz.Xenstore.Tests/
/// tests/conformance, re-recorded by scripts/conformance.sh), replayed over the socket of the
/// server of `xsfuzz serve`: every packet must be what the real daemon sent. Each trace gets a fresh
/// server, as each recording got a fresh daemon. Traces with domU ring connections are left out: the
/// server has sockets only.
/// </summary>
public class SocketConformanceTests
{
    [Theory]
    [MemberData(nameof(TraceFiles.SocketNames), MemberType = typeof(TraceFiles))]
    public void Served_model_answers_like_oxenstored(string trace)
    {
        var recordedPath = TraceFiles.RecordedPath(trace);
        Assert.True(File.Exists(recordedPath), $"no recording {recordedPath}: run scripts/conformance.sh");
        var expected = OutputComparison.ReadRecorded(recordedPath);
        var perLine = expected.GroupBy(o => (int)o["n"]!).ToDictionary(g => g.Key, g => g.Count());

        using var served = ServedModel.Start();
        var player = new SocketTracePlayer(served.SocketPath, n => perLine.GetValueOrDefault(n));
        var actual = player.Run(File.ReadLines(TraceFiles.TracePath(trace)));

        var difference = OutputComparison.FirstDifference(expected, [.. actual]);
        Assert.True(difference is null, $"{trace}.jsonl over the socket: {difference}");
    }
}
