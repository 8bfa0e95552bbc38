using XsFuzz.Xenstore.Wire;

namespace XsFuzz.Xenstore.Paths;

/// <summary>
/// A parsed store path: its components (root = none). An <c>@</c> path is one component holding the
/// whole string (spec §2.1), so <c>@x</c> and <c>/@x</c> name the same node.
/// </summary>
internal sealed class XsPath : IEquatable<XsPath>
{
    public static readonly XsPath Root = new([]);

    private readonly string[] _components;

    private XsPath(string[] components) => _components = components;

    public int Depth => _components.Length;
    public bool IsRoot => _components.Length == 0;
    public string this[int index] => _components[index];
    public string Name => _components.Length == 0 ? "" : _components[^1];

    public XsPath Parent => IsRoot ? this : new XsPath(_components[..^1]);

    public XsPath Child(string name) => new([.. _components, name]);

    /// <summary>The path made of the first <paramref name="depth"/> components.</summary>
    public XsPath Prefix(int depth) => depth == Depth ? this : new XsPath(_components[..depth]);

    /// <summary>The longest common component prefix (spec §6.5, low paths).</summary>
    public XsPath CommonPrefix(XsPath other)
    {
        var n = 0;
        while (n < Depth && n < other.Depth && _components[n] == other._components[n]) n++;
        return Prefix(n);
    }

    /// <summary>OCaml's <c>Store.Path.of_string</c>: no length check; null when invalid.</summary>
    public static XsPath? Parse(string text)
    {
        if (text.Length == 0) return null;
        if (text[0] == '@') return new XsPath([text]);
        if (text == "/") return Root;
        if (text[0] != '/') return null;
        var parts = text[1..].Split('/');
        foreach (var part in parts)
        {
            if (!IsValidName(part)) return null;
        }
        return new XsPath(parts);
    }

    /// <summary>
    /// A path from its components, as a live-update stream carries them; null unless every component
    /// could have come from a parsed path (a first component starting with <c>@</c> may hold anything but NUL).
    /// </summary>
    public static XsPath? FromComponents(IReadOnlyList<string> components)
    {
        for (var i = 0; i < components.Count; i++)
        {
            if (!IsValidComponent(components[i], i)) return null;
        }
        return new XsPath([.. components]);
    }

    /// <summary>Whether a node may have this name at this depth (0 = a child of the root).</summary>
    public static bool IsValidComponent(string name, int depth) =>
        IsValidName(name) || (depth == 0 && name.Length > 0 && name[0] == '@' && !name.Contains('\0'));

    /// <summary>A node name made only of <c>A-Z a-z 0-9 _ - @</c>, not empty.</summary>
    public static bool IsValidName(string name)
    {
        if (name.Length == 0) return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-' || c == '@')) return false;
        }
        return true;
    }

    /// <summary>
    /// OCaml's <c>Utils.path_validate</c> then <c>of_string</c> (spec §2.1): resolve a relative path
    /// against the connection's home, check the length, parse. Null means EINVAL.
    /// </summary>
    public static XsPath? Resolve(string text, long domid, int pathMax)
    {
        var absolute = Absolute(text, domid);
        if (absolute is null) return null;
        if (MeasuredLength(absolute) > pathMax) return null;
        return Parse(absolute);
    }

    /// <summary>A relative path (not starting with / or @) joined to <c>/local/domain/&lt;domid&gt;/</c>.</summary>
    public static string? Absolute(string text, long domid)
    {
        if (text.Length == 0) return null;
        return text[0] is '/' or '@' ? text : HomeOf(domid) + text;
    }

    public static string HomeOf(long domid) => "/local/domain/" + OcamlInt.FormatSigned(domid) + "/";

    /// <summary>
    /// The length compared against path-max: the bytes after a <c>/local/domain/&lt;int&gt;/</c>
    /// prefix when there is one (scanned like OCaml's <c>%d</c>), else the whole path.
    /// </summary>
    private static int MeasuredLength(string path)
    {
        const string prefix = "/local/domain/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal)) return path.Length;
        var i = prefix.Length;
        var start = i;
        if (i < path.Length && (path[i] == '-' || path[i] == '+')) i++;
        if (i >= path.Length || !char.IsAsciiDigit(path[i])) return path.Length;
        while (i < path.Length && (char.IsAsciiDigit(path[i]) || path[i] == '_')) i++;
        if (i >= path.Length || path[i] != '/') return path.Length;
        if (!OcamlInt.TryParseInt(path[start..i], out _)) return path.Length;
        return path.Length - (i + 1);
    }

    /// <summary>The canonical form OCaml prints: <c>/</c> followed by the components joined by <c>/</c>.</summary>
    public override string ToString() => "/" + string.Join('/', _components);

    public bool Equals(XsPath? other)
    {
        if (other is null || other.Depth != Depth) return false;
        for (var i = 0; i < Depth; i++)
        {
            if (_components[i] != other._components[i]) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as XsPath);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var c in _components) hash.Add(c, StringComparer.Ordinal);
        return hash.ToHashCode();
    }
}
