namespace XsFuzz.Serve;

/// <summary>
/// The server's log: one line per event, prefixed "xsfuzz serve: ". Several threads log (the accept
/// loop, the daemon loop), and a test's StringWriter is not thread-safe, hence the lock.
/// </summary>
public sealed class ServeLog(TextWriter writer)
{
    private readonly Lock _gate = new();

    public void Line(string message)
    {
        lock (_gate)
        {
            writer.WriteLine("xsfuzz serve: " + message);
            writer.Flush();
        }
    }
}
