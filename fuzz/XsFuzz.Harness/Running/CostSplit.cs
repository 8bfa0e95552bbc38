using System.Runtime.InteropServices;
using XsFuzz.Harness.Scenarios;
using XsFuzz.Xenstore;
using XsFuzz.Xenstore.Migration;
using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Harness.Running;

/// <summary>Where the time of checking a batch of inputs goes (milliseconds of this thread's CPU time).</summary>
/// <param name="Full">The harness as `check` and AFL run it: <see cref="Agreement.Check(ReadOnlySpan{byte}, LiveUpdateFault, HarnessOptions)"/>.</param>
/// <param name="Requests">Ideal, part 1: the scenarios' requests and drains on bare daemons (both, once the updated one exists).</param>
/// <param name="Dump">Ideal, part 2: the live updates' dumps.</param>
/// <param name="Restore">Ideal, part 3: the live updates' restores.</param>
/// <param name="Compare">Not in the ideal: comparing the two states after every live update and at the end.</param>
/// <param name="Decode">Not in the ideal: decoding the inputs alone (with the reference run the decoder needs).</param>
/// <param name="ReferenceRun">Of <paramref name="Decode"/>, what running the decoded scenarios on the reference alone costs (the rest is the choices).</param>
/// <param name="FullBytes">Bytes the full harness allocated (this thread), all inputs together.</param>
/// <param name="IdealBytes">Bytes the ideal run allocated, comparisons included.</param>
/// <param name="DumpBytes">Of those, the dumps'.</param>
/// <param name="RestoreBytes">Of those, the restores'.</param>
/// <param name="DecodeBytes">Bytes decoding alone allocated (the reference run included).</param>
/// <param name="ReferenceRunBytes">Of those, the reference run's.</param>
public sealed record CostSplitResult(int Scenarios, double Full, double Requests, double Dump, double Restore, double Compare,
    double Decode, double ReferenceRun, long FullBytes, long IdealBytes, long DumpBytes, long RestoreBytes, long DecodeBytes,
    long ReferenceRunBytes)
{
    /// <summary>What the property cannot do without: both instances' requests, and the live updates.</summary>
    public double Ideal => Requests + Dump + Restore;
}

/// <summary>
/// `xsfuzz bench-harness`: the harness's cost against its ideal, in-process, without a profiler. The
/// ideal replays the decoded scenarios with nothing but the model's own calls (Handle, TakeOutput,
/// dump, restore), in the harness's shape: one daemon until the first live update, then two.
/// </summary>
public static class CostSplit
{
    public static CostSplitResult Measure(IReadOnlyList<byte[]> inputs, HarnessOptions options)
    {
        var scenarios = inputs.Select(input => ScenarioDecoder.Decode(input, options)).ToList();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var full = Time(() =>
        {
            foreach (var input in inputs) Agreement.Check(input, LiveUpdateFault.None, options);
        });
        var fullBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var decode = Time(() =>
        {
            foreach (var input in inputs) ScenarioDecoder.Decode(input, options);
        });
        var decodeBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        var referenceRun = Time(() =>
        {
            foreach (var scenario in scenarios) PairRun.ReferenceOnly(options.ConfigOf(scenario).Config).Run(scenario);
        });
        var referenceRunBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        var ideal = new IdealRun(options);
        before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var scenario in scenarios) ideal.Run(scenario);
        var idealBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        return new CostSplitResult(inputs.Count, full, Ms(ideal.Requests), Ms(ideal.Dump), Ms(ideal.Restore), Ms(ideal.Compare), decode,
            referenceRun, fullBytes, idealBytes, ideal.DumpBytes, ideal.RestoreBytes, decodeBytes, referenceRunBytes);
    }

    private static double Time(Action action)
    {
        var start = ThreadCpu.Now();
        action();
        return Ms(ThreadCpu.Now() - start);
    }

    private static double Ms(long nanoseconds) => nanoseconds / 1e6;

    /// <summary>
    /// This thread's CPU time in nanoseconds (Linux's CLOCK_THREAD_CPUTIME_ID): unlike wall time, not
    /// inflated by other processes on a shared machine, and without the runtime's background threads.
    /// </summary>
    private static class ThreadCpu
    {
        private const int ClockThreadCpuTime = 3;

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);

        public static long Now()
        {
            if (ClockGetTime(ClockThreadCpuTime, out var t) != 0) throw new InvalidOperationException("clock_gettime failed");
            return t.Seconds * 1_000_000_000 + t.Nanoseconds;
        }
    }

    /// <summary>The scenarios on bare daemons, each kind of work timed on its own.</summary>
    private sealed class IdealRun(HarnessOptions options)
    {
        public long Requests, Dump, Restore, Compare;
        public long DumpBytes, RestoreBytes;
        private Xenstored _reference = null!;
        private Xenstored? _updated;
        private uint _id;
        private readonly Dictionary<Xenstore.Domains.ConnectionId, byte[]> _unfinished = [];

        public void Run(Scenario scenario)
        {
            var start = ThreadCpu.Now();
            _reference = new Xenstored(options.ConfigOf(scenario).Config);
            for (var i = 0; i < ModelLayout.Plain.Sockets; i++) _reference.OpenSocket();
            _updated = null;
            _unfinished.Clear();
            foreach (var domain in scenario.Domains)
            {
                foreach (var packet in ScenarioSetup.Requests(domain, () => ++_id)) Both(Xenstored.Dom0, packet);
            }
            foreach (var node in scenario.Nodes)
            {
                foreach (var packet in ScenarioSetup.Requests(node, () => ++_id)) Both(Xenstored.Dom0, packet);
            }
            foreach (var command in scenario.Commands)
            {
                switch (command)
                {
                    case RequestCommand r:
                        Both(r.Connection, new Packet(r.Type, ++_id, r.Tx, Latin1.Encode(r.Payload)));
                        break;
                    case DrainCommand d:
                        Both(d.Connection, null);
                        break;
                    case PartialCommand p:
                        Both(p.Request.Connection, null);
                        var bytes = p.Wire(++_id);
                        Receive(p.Request.Connection, bytes[..p.Bytes]);
                        _unfinished[p.Request.Connection] = bytes[p.Bytes..];
                        break;
                    case LiveUpdateCommand:
                        Requests += ThreadCpu.Now() - start;
                        LiveUpdate();
                        start = ThreadCpu.Now();
                        break;
                }
            }
            if (_updated is null)
            {
                Requests += ThreadCpu.Now() - start;
                return;
            }
            foreach (var id in _reference.Connections) Both(id, null);
            Requests += ThreadCpu.Now() - start;
            CompareStates();
        }

        private void Receive(Xenstore.Domains.ConnectionId connection, byte[] bytes)
        {
            _reference.Receive(connection, bytes);
            _updated?.Receive(connection, bytes);
        }

        /// <summary>A request or drain (null); an unfinished request of the connection is finished first, as in a pair.</summary>
        private void Both(Xenstore.Domains.ConnectionId connection, Packet? request)
        {
            if (_unfinished.Remove(connection, out var rest)) Receive(connection, rest);
            if (request is not null) _reference.Handle(connection, request);
            _reference.TakeOutput(connection);
            if (_updated is null) return;
            if (request is not null) _updated.Handle(connection, request);
            _updated.TakeOutput(connection);
        }

        private void LiveUpdate()
        {
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var start = ThreadCpu.Now();
            var bytes = MigrationStream.DumpToBytes(_updated ?? _reference);
            var dumped = ThreadCpu.Now();
            var dumpAllocated = GC.GetAllocatedBytesForCurrentThread();
            _updated = MigrationStream.Restore(bytes);
            var restored = ThreadCpu.Now();
            Dump += dumped - start;
            Restore += restored - dumped;
            DumpBytes += dumpAllocated - allocated;
            RestoreBytes += GC.GetAllocatedBytesForCurrentThread() - dumpAllocated;
            CompareStates();
        }

        private void CompareStates()
        {
            var start = ThreadCpu.Now();
            if (!StateComparer.Same(_updated!, _reference)) throw new InvalidOperationException("the ideal run's states differ");
            Compare += ThreadCpu.Now() - start;
        }
    }
}
