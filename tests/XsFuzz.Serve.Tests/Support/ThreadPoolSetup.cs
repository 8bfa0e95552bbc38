using System.Runtime.CompilerServices;

namespace XsFuzz.Serve.Tests.Support;

/// <summary>
/// The tests run servers in their own process next to many blocking clients (xunit runs classes in
/// parallel). The server's accept loop and the tests' task plumbing use pool threads; if blocking code
/// ever holds them all, the pool grows by about one thread a second and replies look lost. Spare
/// threads up front keep the timings of the tests meaningful.
/// </summary>
internal static class ThreadPoolSetup
{
    [ModuleInitializer]
    internal static void ReserveThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(io, 64));
    }
}
