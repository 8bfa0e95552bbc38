using System.Text;

namespace XsFuzz.Harness.Generation;

/// <summary>Request payloads as NUL-terminated arguments, built (decoding) and taken apart (the wanted ones, encoding).</summary>
internal static class RequestArgs
{
    /// <summary>Each argument followed by NUL, the canonical request payload.</summary>
    public static string Join(params string[] args)
    {
        var text = new StringBuilder();
        foreach (var arg in args) text.Append(arg).Append('\0');
        return text.ToString();
    }

    /// <summary>The arguments of a wanted payload; null if it is not NUL-terminated (or null: reading).</summary>
    public static string[]? Split(string? payload) =>
        string.IsNullOrEmpty(payload) || payload[^1] != '\0' ? null : payload[..^1].Split('\0');

    /// <summary>Argument <paramref name="i"/>, or null if there is none.</summary>
    public static string? At(string[]? args, int i) => args is not null && i < args.Length ? args[i] : null;
}
