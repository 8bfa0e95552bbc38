using System.Text;

namespace XsFuzz.Serve.Tests.Support;

/// <summary>A TextWriter the server logs into while tests read it from another thread.</summary>
public sealed class LogCapture : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate) _text.Append(value);
    }

    public override void Write(string? value)
    {
        lock (_gate) _text.Append(value);
    }

    public string Text
    {
        get { lock (_gate) return _text.ToString(); }
    }

    public IReadOnlyList<string> Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Waits until a line contains <paramref name="fragment"/>; false after the timeout.</summary>
    public bool WaitFor(string fragment, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (Text.Contains(fragment, StringComparison.Ordinal)) return true;
            Thread.Sleep(10);
        }
        return Text.Contains(fragment, StringComparison.Ordinal);
    }
}
