namespace XsFuzz.Xenstore.Permissions;

/// <summary>The four permission letters: r, w, b (both), n (none).</summary>
internal enum PermKind : byte
{
    None,
    Read,
    Write,
    Both,
}

internal static class PermLetters
{
    public static char Letter(PermKind kind) => kind switch
    {
        PermKind.Read => 'r',
        PermKind.Write => 'w',
        PermKind.Both => 'b',
        _ => 'n',
    };

    public static bool TryParse(char letter, out PermKind kind)
    {
        kind = letter switch
        {
            'r' => PermKind.Read,
            'w' => PermKind.Write,
            'b' => PermKind.Both,
            'n' => PermKind.None,
            _ => (PermKind)255,
        };
        return (byte)kind != 255;
    }

    public static bool Grants(PermKind have, PermKind wanted) =>
        have == PermKind.Both || (have != PermKind.None && have == wanted);
}
