using System.Text;

namespace XsFuzz.Xenstore.Wire;

/// <summary>
/// xenstore paths, tokens and names are byte strings. The model keeps them in .NET strings with one
/// char per byte (ISO-8859-1), so ordinal string order is byte order and every byte round-trips.
/// </summary>
public static class Latin1
{
    public static string Decode(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public static byte[] Encode(string text) => Encoding.Latin1.GetBytes(text);

    public static void Encode(string text, Span<byte> into) => Encoding.Latin1.GetBytes(text, into);

    /// <summary>Each string followed by a NUL byte.</summary>
    public static byte[] NulTerminated(params string[] parts)
    {
        var bytes = new byte[parts.Sum(p => p.Length + 1)];
        var at = 0;
        foreach (var part in parts)
        {
            Encode(part, bytes.AsSpan(at));
            at += part.Length + 1;
        }
        return bytes;
    }

    /// <summary>A C-like quoted rendering: printable ASCII as is, everything else as \xNN.</summary>
    public static string Quote(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length + 2);
        text.Append('"');
        foreach (var b in bytes)
        {
            if (b == (byte)'"' || b == (byte)'\\') text.Append('\\').Append((char)b);
            else if (b >= 0x20 && b < 0x7f) text.Append((char)b);
            else text.Append("\\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.Append('"').ToString();
    }

    public static string Quote(string latin1) => Quote(Encode(latin1));
}
