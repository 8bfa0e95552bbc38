namespace XsFuzz.Harness.Generation;

/// <summary>Request payloads as NUL-terminated arguments, built (decoding) and taken apart (the wanted ones, encoding).</summary>
internal static class RequestArgs
{
    /// <summary>
    /// Each argument followed by NUL, the canonical request payload (one allocation: the decoder's hot
    /// path). A null argument (what a failed choice gives back while encoding) counts as empty.
    /// </summary>
    public static string Join(params ReadOnlySpan<string?> args)
    {
        var length = 0;
        foreach (var arg in args) length += (arg?.Length ?? 0) + 1;
        return string.Create(length, args, static (text, args) =>
        {
            var at = 0;
            foreach (var arg in args)
            {
                arg.AsSpan().CopyTo(text[at..]);
                at += arg?.Length ?? 0;
                text[at++] = '\0';
            }
        });
    }

    /// <summary>The arguments of a wanted payload; null if it is not NUL-terminated (or null: reading).</summary>
    public static string[]? Split(string? payload) =>
        string.IsNullOrEmpty(payload) || payload[^1] != '\0' ? null : payload[..^1].Split('\0');

    /// <summary>Argument <paramref name="i"/>, or null if there is none.</summary>
    public static string? At(string[]? args, int i) => args is not null && i < args.Length ? args[i] : null;
}
