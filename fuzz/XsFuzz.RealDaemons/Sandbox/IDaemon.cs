namespace XsFuzz.RealDaemons.Sandbox;

/// <summary>
/// One running daemon as a scenario sees it: a fresh one (<see cref="DaemonProcess"/>) or a forked copy
/// of one set up earlier (<see cref="ForkedDaemon"/>). Disposing kills it.
/// </summary>
public interface IDaemon : IDisposable
{
    DaemonKind Kind { get; }

    /// <summary>Its run folder (socket, ring files, output, logs).</summary>
    string RunFolder { get; }

    string SocketPath => Path.Combine(RunFolder, "socket");

    int Pid { get; }

    bool IsRunning { get; }

    /// <summary>Says at once when it has exited (its clients wait on it: <see cref="ExitWatch"/>).</summary>
    ExitWatch Exit { get; }

    /// <summary>
    /// Null while the daemon runs (after waiting up to <paramref name="grace"/> for it to exit), else a
    /// value-free line for signatures: its last words (an assertion, a FATAL, an OCaml exception) or
    /// its exit status.
    /// </summary>
    string? DeathNote(TimeSpan grace);

    /// <summary>The end of the daemon's stdout/stderr and, for oxenstored, of its log: for reports.</summary>
    string OutputTail(int lines = 15);
}
