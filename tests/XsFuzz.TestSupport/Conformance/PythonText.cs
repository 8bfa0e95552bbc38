using System.Globalization;
using System.Text;

namespace XsFuzz.TestSupport.Conformance;

/// <summary>
/// The two bits of Python behaviour that xsclient.py's output depends on: how it turns payload
/// bytes into JSON strings, and which strings its <c>int()</c> accepts.
/// </summary>
public static class PythonText
{
    /// <summary>
    /// <c>bytes.decode("utf-8", "backslashreplace")</c>: well-formed UTF-8 sequences become their
    /// characters; every byte that is not part of one becomes the four characters <c>\xNN</c>
    /// (lowercase hex). Overlong forms, surrogates (ED A0..BF) and code points above U+10FFFF are
    /// not well-formed, exactly as for Python's strict decoder.
    /// </summary>
    public static string DecodeUtf8BackslashReplace(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var length = WellFormedLength(bytes[i..]);
            if (length == 0)
            {
                text.Append("\\x").Append(bytes[i].ToString("x2", CultureInfo.InvariantCulture));
                i++;
                continue;
            }
            text.Append(Encoding.UTF8.GetString(bytes.Slice(i, length)));
            i += length;
        }
        return text.ToString();
    }

    /// <summary>Length of the well-formed UTF-8 sequence at the start of s, or 0 if there is none.</summary>
    private static int WellFormedLength(ReadOnlySpan<byte> s)
    {
        var lead = s[0];
        if (lead < 0x80) return 1;
        // Allowed range of the second byte per lead byte (Unicode Table 3-7); later bytes are 80..BF.
        (int length, byte low, byte high) = lead switch
        {
            >= 0xC2 and <= 0xDF => (2, (byte)0x80, (byte)0xBF),
            0xE0 => (3, (byte)0xA0, (byte)0xBF),
            >= 0xE1 and <= 0xEC or 0xEE or 0xEF => (3, (byte)0x80, (byte)0xBF),
            0xED => (3, (byte)0x80, (byte)0x9F),
            0xF0 => (4, (byte)0x90, (byte)0xBF),
            >= 0xF1 and <= 0xF3 => (4, (byte)0x80, (byte)0xBF),
            0xF4 => (4, (byte)0x80, (byte)0x8F),
            _ => (0, (byte)0, (byte)0),
        };
        if (length == 0 || s.Length < length) return 0;
        if (s[1] < low || s[1] > high) return 0;
        for (var k = 2; k < length; k++)
        {
            if (s[k] < 0x80 || s[k] > 0xBF) return 0;
        }
        return length;
    }

    /// <summary>
    /// Python's <c>int(bytes)</c> for base 10: surrounding whitespace, an optional sign, digits with
    /// single underscores between them. False where Python raises ValueError (or for values that do
    /// not fit a long, which no daemon sends as a transaction id).
    /// </summary>
    public static bool TryParseInt(ReadOnlySpan<byte> bytes, out long value)
    {
        value = 0;
        var s = Encoding.ASCII.GetString(bytes).Trim(' ', '\t', '\n', '\r', '\v', '\f');
        var digits = s.StartsWith('+') || s.StartsWith('-') ? s[1..] : s;
        if (digits.Length == 0 || !char.IsAsciiDigit(digits[0]) || !char.IsAsciiDigit(digits[^1])) return false;
        if (digits.Contains("__", StringComparison.Ordinal)) return false;
        if (digits.Any(c => c != '_' && !char.IsAsciiDigit(c))) return false;
        return long.TryParse((s[0] == '-' ? "-" : "") + digits.Replace("_", "", StringComparison.Ordinal),
            NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }
}
