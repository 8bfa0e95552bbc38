using System.CommandLine;
using System.Numerics;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using SharpFuzz;
using XsFuzz.Harness;
using XsFuzz.RealDaemons.Reporting;
using XsFuzz.RealDaemons.Sandbox;
using XsFuzz.Xenstore.Migration;

namespace XsFuzz.Cli.Commands;

/// <summary>
/// `xsfuzz afl [--fault NAME] [--empty] [--daemon KIND]`: the SharpFuzz persistent-mode target for afl-fuzz (started by
/// scripts/fuzz.sh on the instrumented build in build/afl). Each input goes through
/// <see cref="Agreement.Check(ReadOnlySpan{byte}, LiveUpdateFault, HarnessOptions)"/>; a disagreement is an unhandled
/// exception, which SharpFuzz reports to AFL as a crash, and the crash file replays with `xsfuzz replay`.
/// `--empty` is the baseline of scripts/bench.sh: a target that only touches one instrumented branch
/// (afl-fuzz refuses a target that shows no instrumentation at all). `--daemon oxenstored|xenstored`
/// runs each input on two real traced daemons instead of two models (<see cref="RealAflTarget"/>).
/// <para>
/// The fork server is SharpFuzz's in-process one (Fuzzer.Run), the faster with the same 100 %
/// stability (scripts/bench.sh --compare-modes, one core, 2-core machine under load from other jobs):
/// about 3,200-3,800 exec/s against 1,900-3,000 for Fuzzer.OutOfProcess.Run pinned to the core and
/// 2,800-3,500 unpinned; the empty targets run 39-47k against 29-33k exec/s. Those figures were taken
/// before corpus/ existed, from the 7 hand-written seeds: from corpus/'s 170 longer inputs one exec costs
/// ~3x the CPU, in that build as in today's (HARNESS.md, speed of the model harness). Its limit: a hang or an uncatchable crash (stack overflow) kills
/// the fork server, and afl-fuzz stops (fuzz.sh then reports the input in the worker's .cur_input).
/// XSFUZZ_AFL_MODE=out-of-process selects SharpFuzz's other fork server, which runs the inputs in a
/// child process and survives those at the cost of a restart (fuzz.sh then does not pin workers, as
/// the two processes sharing one core halve its speed).
/// </para>
/// </summary>
internal static class AflCommand
{
    /// <summary>Environment variable choosing the fork server: "in-process" or "out-of-process".</summary>
    public const string ModeVariable = "XSFUZZ_AFL_MODE";

    /// <summary>SharpFuzz's coverage map size (Fuzzer.MapSize, the same as AFL++'s default).</summary>
    internal const int MapSize = 1 << 16;

    /// <summary>
    /// In the instrumented build every branch of the model and the harness writes to
    /// SharpFuzz.Common.Trace.SharedMem, which SharpFuzz only sets inside Fuzzer.Run; xsfuzz runs some of
    /// that code earlier (building the commands reads HarnessOptions.Default), and the out-of-process
    /// fork server never sets it at all. Until then the writes go to a scratch map of SharpFuzz's size
    /// instead of address 0. In the plain build nothing reads the field.
    /// </summary>
    [ModuleInitializer]
    internal static void GiveInstrumentationAScratchMap()
    {
        var field = typeof(SharpFuzz.Common.Trace).GetField(nameof(SharpFuzz.Common.Trace.SharedMem));
        field?.SetValue(null, Marshal.AllocHGlobal(MapSize));   // reflection takes an IntPtr for a byte* field
    }

    public static Command Create(CliIo io)
    {
        var fault = CommonOptions.Fault();
        var config = CommonOptions.Config();
        var empty = new Option<bool>("--empty") { Description = "run an empty target (benchmark baseline)" };
        var daemon = new Option<string?>("--daemon")
        {
            Description = "run the inputs on two real traced daemons (scripts/real-build.sh): oxenstored or xenstored",
            HelpName = "NAME",
        };
        var cache = new Option<string?>("--cache") { Description = "with --daemon: sandbox cache folder (default build/real)", HelpName = "DIR" };
        var build = new Option<string>("--build")
        {
            Description = "with --daemon: the build of scripts/real-build.sh to run (plain: no daemon edges, the harness's alone)",
            DefaultValueFactory = _ => RealAflTarget.TracedBuild,
            HelpName = "NAME",
        };
        var counts = new Option<string>("--daemon-counts")
        {
            Description = "with --daemon: what of the daemons' edges goes to AFL: edges (hit or not) or hits (their hit counts)",
            // edges: stability 96 % on oxenstored against 92 % with hits (one 60 s campaign each, same seeds).
            DefaultValueFactory = _ => "edges",
            HelpName = "KIND",
        };
        var start = new Option<string>("--daemon-start")
        {
            Description = "with --daemon: fork (a copy of one daemon per input, from the shim's fork server) or fresh (two new daemons per input)",
            DefaultValueFactory = _ => "fork",
            HelpName = "HOW",
        };
        var luOverSocket = new Option<bool>("--lu-over-socket")
        {
            Description = "with --daemon oxenstored: request live updates over the control socket (-t 0 first, -t 1 when its own reply was the one blocker) instead of dom0's ring",
        };
        var command = new Command("afl", "run as the AFL persistent-mode target (start it under afl-fuzz)") { fault, config, empty, daemon, cache, build, counts, start, luOverSocket };
        command.SetAction(parse =>
        {
            var faultValue = CommonOptions.ParseFault(parse.GetValue(fault));
            var options = CommonOptions.Harness(null, parse.GetValue(config));
            var inProcess = ParseMode(Environment.GetEnvironmentVariable(ModeVariable));
            if (parse.GetValue(daemon) is { } name)
            {
                if (parse.GetValue(empty) || faultValue != LiveUpdateFault.None || parse.GetValue(config) is not null)
                    throw new UsageException("--daemon runs real daemons (Debian's configuration): no --fault, --config or --empty");
                var hitCounts = parse.GetValue(counts) switch
                {
                    "hits" => true,
                    "edges" => false,
                    var other => throw new UsageException($"--daemon-counts must be hits or edges, not '{other}'"),
                };
                var forked = parse.GetValue(start) switch
                {
                    "fork" => true,
                    "fresh" => false,
                    var other => throw new UsageException($"--daemon-start must be fork or fresh, not '{other}'"),
                };
                var overSocket = parse.GetValue(luOverSocket);
                if (overSocket && name != "oxenstored") throw new UsageException("--lu-over-socket is for oxenstored (the C daemon has no ring way to ask)");
                var overRing = !overSocket;
                using var real = StartRealTarget(name, parse.GetValue(cache), parse.GetValue(build)!, hitCounts, forked, overRing);
                Fuzz(Filtered(real.Run, () => real.Fold(FirstUseFilter.Map())), inProcess);
                return XsfuzzApp.Ok;
            }
            Fuzz(parse.GetValue(empty) ? EmptyTarget : HarnessTarget(faultValue, options), inProcess);
            return XsfuzzApp.Ok;
        });
        _ = io;
        return command;
    }

    private static void Fuzz(Action<Stream> target, bool inProcess)
    {
        if (inProcess) Fuzzer.Run(target);
        else Fuzzer.OutOfProcess.Run(target);
    }

    private static RealAflTarget StartRealTarget(string name, string? cache, string build, bool hitCounts, bool forked, bool overRing)
    {
        if (!DaemonKinds.TryParse(name, out var kind)) throw new UsageException("--daemon must be oxenstored or xenstored");
        if (build is not ("traced" or "plain")) throw new UsageException("--build must be traced or plain");
        try
        {
            var layout = SandboxLayout.Prepare(null, cache, build);
            var known = KnownDifferences.Builtin();
            return new RealAflTarget(layout, kind, known, hitCounts, forked, overRing, KnownFindingLog.FromEnvironment(known),
                CrashSignatureLog.FromEnvironment());
        }
        catch (SandboxException e)
        {
            throw new UsageException("sandbox: " + e.Message);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static bool ParseMode(string? mode) => mode switch
    {
        null or "" or "in-process" => true,
        "out-of-process" => false,
        _ => throw new UsageException($"{ModeVariable} must be 'in-process' or 'out-of-process', not '{mode}'"),
    };

    /// <summary>Reads nothing; one call into the instrumented harness so that AFL sees a map.</summary>
    private static void EmptyTarget(Stream input) => _ = FaultCatalog.Describe(LiveUpdateFault.None);

    /// <summary>
    /// The harness target. The only state kept across iterations is the input buffer (rewound each time)
    /// and the <see cref="FirstUseFilter"/>; the harness builds its daemons afresh for every input.
    /// <para>
    /// SharpFuzz's fork servers read stdin for their first execution right after the handshake, before
    /// afl-fuzz has written the first test case (a race): that execution would then run a stale or empty
    /// input and AFL would see the first seed's coverage vary (measured: stability 36 % in one run of
    /// four). So under afl-fuzz the first two calls (SharpFuzz's set-up run and the first real one, which
    /// comes after afl-fuzz's request) read the test case afresh from /dev/stdin instead.
    /// </para>
    /// </summary>
    private static Action<Stream> HarnessTarget(LiveUpdateFault fault, HarnessOptions options) =>
        Filtered(input => Agreement.Check(input, fault, options));

    /// <summary>
    /// Reads each input as described above and runs it through a <see cref="FirstUseFilter"/>;
    /// <paramref name="after"/>, if given, runs once the filter has looked at the map (see <see cref="FirstUseFilter.Run"/>).
    /// </summary>
    private static Action<Stream> Filtered(InputAction run, Action? after = null)
    {
        var buffer = new MemoryStream();
        var filter = new FirstUseFilter();
        var rereads = Environment.GetEnvironmentVariable("__AFL_SHM_ID") is null ? 0 : 2;
        return stream =>
        {
            buffer.SetLength(0);
            if (rereads > 0)
            {
                rereads--;
                using var stdin = new FileStream("/dev/stdin", FileMode.Open, FileAccess.Read);
                stdin.CopyTo(buffer);
            }
            else
            {
                stream.CopyTo(buffer);
            }
            var input = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
            filter.Run(() => run(input.Span), after);
        };
    }

    private delegate void InputAction(ReadOnlySpan<byte> input);
}

/// <summary>
/// Keeps AFL's stability at 100 % in a process that lives for many inputs. .NET initialises lazily:
/// the first input that reaches a class runs its static constructor, the first call of a method with
/// a lambda fills the lambda's cache, and those branches are never taken again, so AFL sees that
/// input's coverage change between its discovery and its calibration runs. The harness keeps no other
/// state between inputs. So whenever an execution shows an edge, or an edge's hit-count bucket, that
/// this process has not seen before (when one-time initialisation can have happened), the map is
/// cleared and the input runs once more: AFL gets the second, steady-state run. After a short warm-up
/// that is rare, since new coverage is rare; the check is one vectorised pass over the 64 KiB map
/// (about 2.5 us, ~1 % of an execution).
/// </summary>
internal sealed class FirstUseFilter
{
    private static readonly Func<IntPtr> ReadSharedMem = CompileSharedMemReader();
    private static readonly byte[] CountClass = BuildCountClasses();

    /// <summary>Per map byte, the highest hit count seen: a cheap vectorised pre-filter.</summary>
    private readonly byte[] _max = new byte[AflCommand.MapSize];

    /// <summary>Per map byte, AFL's hit-count buckets not seen yet (one bit each, as AFL's virgin map).</summary>
    private readonly byte[] _virgin = CreateVirgin();

    /// <summary>
    /// Runs the input; runs it again on a cleared map if the first run took a new edge. Then
    /// <paramref name="after"/> adds what the filter must not judge: the real daemons' edges (xsfuzz afl
    /// --daemon). Those have no first-use effects of .NET (each input's daemons are copies forked from
    /// the same set-up state), yet almost every input that finds a new daemon edge would run twice.
    /// </summary>
    public void Run(Action input, Action? after = null)
    {
        ExceptionDispatchInfo? first = null;
        try
        {
            FromEntry(input);
        }
        catch (Exception e)
        {
            first = ExceptionDispatchInfo.Capture(e);
        }
        var map = Map();
        if (!SawNewBits(map))
        {
            after?.Invoke();
            first?.Throw();
            return;
        }
        map.Clear();
        try
        {
            FromEntry(input);
        }
        finally
        {
            after?.Invoke();
        }
    }

    /// <summary>
    /// Runs the input with SharpFuzz's previous-block register at 0. An edge's map byte is the current
    /// block's id xor the previous one's, and SharpFuzz's fork server leaves the register as the last
    /// input left it, so an input's first edge would otherwise land on a byte chosen by wherever the
    /// input before it stopped. Under afl-fuzz the run that finds an input follows another input, its
    /// calibration runs follow itself: when the two stopped in different places (an early end on an
    /// allow-listed difference, a crash), both bytes count as variable. AFL's own persistent loop
    /// clears its register per input the same way.
    /// </summary>
    private static void FromEntry(Action input)
    {
        SharpFuzz.Common.Trace.PrevLocation = 0;
        input();
    }

    /// <summary>The live coverage map (AFL's shared memory under afl-fuzz), without unsafe code.</summary>
    internal static Span<byte> Map() =>
        MemoryMarshal.CreateSpan(ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), ReadSharedMem()), AflCommand.MapSize);

    /// <summary>
    /// AFL's has_new_bits: hit counts bucketed and compared with the virgin map. Only the vectors where
    /// some count exceeds the highest seen so far are looked at byte by byte.
    /// </summary>
    private bool SawNewBits(Span<byte> map)
    {
        var counts = MemoryMarshal.Cast<byte, Vector<byte>>(map);
        var max = MemoryMarshal.Cast<byte, Vector<byte>>(_max.AsSpan());
        var width = Vector<byte>.Count;
        var seenNew = false;
        for (var i = 0; i < counts.Length; i++)
        {
            var count = counts[i];
            if (!Vector.GreaterThanAny(count, max[i])) continue;
            max[i] = Vector.Max(count, max[i]);
            for (var j = i * width; j < (i + 1) * width; j++)
            {
                var bucket = CountClass[map[j]];
                if ((bucket & _virgin[j]) == 0) continue;
                _virgin[j] &= (byte)~bucket;
                seenNew = true;
            }
        }
        return seenNew;
    }

    private static byte[] CreateVirgin()
    {
        var virgin = new byte[AflCommand.MapSize];
        Array.Fill(virgin, byte.MaxValue);
        return virgin;
    }

    /// <summary>AFL's hit-count buckets as one bit each: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+.</summary>
    private static byte[] BuildCountClasses()
    {
        var classes = new byte[256];
        for (var n = 1; n < 256; n++)
        {
            classes[n] = n switch
            {
                1 => 1, 2 => 2, 3 => 4, <= 7 => 8, <= 15 => 16, <= 31 => 32, <= 127 => 64, _ => 128,
            };
        }
        return classes;
    }

    /// <summary>Reads the byte* field SharpFuzz.Common.Trace.SharedMem as an IntPtr without unsafe code.</summary>
    private static Func<IntPtr> CompileSharedMemReader()
    {
        var field = typeof(SharpFuzz.Common.Trace).GetField(nameof(SharpFuzz.Common.Trace.SharedMem), BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException("SharpFuzz.Common.Trace.SharedMem not found");
        var method = new DynamicMethod("ReadSharedMem", typeof(IntPtr), Type.EmptyTypes, typeof(FirstUseFilter).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        il.Emit(OpCodes.Ldsfld, field);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Func<IntPtr>>();
    }
}
