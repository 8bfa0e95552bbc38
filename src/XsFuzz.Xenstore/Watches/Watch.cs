using XsFuzz.Xenstore.Domains;

namespace XsFuzz.Xenstore.Watches;

/// <summary>
/// A registered watch (spec §7.1). <see cref="Sequence"/> orders registrations daemon-wide: every
/// watch list of oxenstored is newest first, i.e. by descending sequence.
/// </summary>
internal sealed class Watch(Connection owner, string path, string token, string absolutePath, long sequence)
{
    public Connection Owner { get; } = owner;
    /// <summary>The path exactly as the client registered it.</summary>
    public string Path { get; } = path;
    public string Token { get; } = token;
    /// <summary>The registered path made absolute against the owner's home (the matching key).</summary>
    public string AbsolutePath { get; } = absolutePath;
    public bool IsRelative => Path.Length > 0 && Path[0] != '/' && Path[0] != '@';
    public long Sequence { get; } = sequence;
    /// <summary>Events for this watch its owner's output queue could not take yet (see EventPipes).</summary>
    public Queue<Wire.Packet> PendingEvents { get; } = new();
}
