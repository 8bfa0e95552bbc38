using System.Globalization;

namespace XsFuzz.Xenstore.Wire;

/// <summary>
/// The integer parsers oxenstored uses (spec §1.3): OCaml's strict <c>int_of_string</c> on 63-bit
/// ints (and 64-bit <c>Nativeint.of_string</c>), and the lenient C-like <c>c_int_of_string</c>.
/// </summary>
internal static class OcamlInt
{
    /// <summary>OCaml <c>int_of_string</c>: 63-bit, with sign, 0x/0o/0b/0u prefixes and underscores.</summary>
    public static bool TryParseInt(string text, out long value) => TryParse(text, 63, out value);

    /// <summary>OCaml <c>Nativeint.of_string</c> on a 64-bit machine.</summary>
    public static bool TryParseNative(string text, out long value) => TryParse(text, 64, out value);

    private static bool TryParse(string text, int bits, out long value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (i < text.Length && (text[i] == '-' || text[i] == '+'))
        {
            negative = text[i] == '-';
            i++;
        }
        var radix = 10;
        var signed = true;
        if (i + 1 < text.Length && text[i] == '0')
        {
            switch (text[i + 1])
            {
                case 'x' or 'X': radix = 16; signed = false; i += 2; break;
                case 'o' or 'O': radix = 8; signed = false; i += 2; break;
                case 'b' or 'B': radix = 2; signed = false; i += 2; break;
                case 'u' or 'U': radix = 10; signed = false; i += 2; break;
            }
        }
        if (i >= text.Length || Digit(text[i]) is var first && (first < 0 || first >= radix)) return false;
        ulong result = (ulong)first;
        for (i++; i < text.Length; i++)
        {
            if (text[i] == '_') continue;
            var d = Digit(text[i]);
            if (d < 0 || d >= radix) return false;
            if (result > ulong.MaxValue / (ulong)radix) return false;
            var next = result * (ulong)radix + (ulong)d;
            if (next < (ulong)d) return false;
            result = next;
        }
        var limit = 1UL << (bits - 1);
        if (signed)
        {
            if (!negative && result >= limit) return false;
            if (negative && result > limit) return false;
        }
        else if (bits < 64 && result >= 1UL << bits)
        {
            return false;
        }
        var raw = negative ? unchecked(-(long)result) : unchecked((long)result);
        value = bits == 63 ? WrapTo63(raw) : raw;
        return true;
    }

    /// <summary>OCaml's <c>c_int_of_string</c>: skip non-digits, read digits, ignore the rest; never fails.</summary>
    public static long ParseLenient(string text)
    {
        var i = 0;
        while (i < text.Length && !char.IsAsciiDigit(text[i])) i++;
        long v = 0;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
        {
            v = WrapTo63(unchecked(v * 10 + (text[i] - '0')));
        }
        return v;
    }

    /// <summary>OCaml's <c>%u</c> of a 63-bit int: negative values print as 2^63 + v.</summary>
    public static string FormatUnsigned(long value) =>
        ((ulong)value & 0x7FFF_FFFF_FFFF_FFFFUL).ToString(CultureInfo.InvariantCulture);

    /// <summary>OCaml's <c>%d</c> / <c>string_of_int</c>.</summary>
    public static string FormatSigned(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static long WrapTo63(long v) => (v << 1) >> 1;

    private static int Digit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
