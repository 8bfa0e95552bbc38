namespace XsFuzz.Triage.Findings;

/// <summary>All saved inputs that fail the same way, the one that stands for them, and its reports.</summary>
public sealed class TriageGroup(int number, string signature, VerdictKind verdict, IReadOnlyList<FindingFile> files)
{
    /// <summary>1-based, in the order the groups were first found.</summary>
    public int Number => number;

    public string Signature => signature;

    /// <summary>Disagree or ModelCrashed; Agree for saved crashes and hangs that do not fail on replay.</summary>
    public VerdictKind Verdict => verdict;

    /// <summary>Every file of the group, first found first.</summary>
    public IReadOnlyList<FindingFile> Files => files;

    public FindingFile First => files[0];

    /// <summary>The smallest input (the quickest to shrink and to read), the first found among equals.</summary>
    public FindingFile Representative { get; } = files.OrderBy(f => f.Bytes.Length).First();

    /// <summary>The representative's full report (null when it agrees).</summary>
    public string? Report { get; set; }

    /// <summary>The representative shrunk, when shrinking was asked for and worked.</summary>
    public ShrunkInput? Shrunk { get; set; }

    /// <summary>Why there is no shrunk input, when there is none.</summary>
    public string? NotShrunk { get; set; }

    /// <summary>The smallest input that shows it: the shrunk one, or the representative.</summary>
    public byte[] Minimal => Shrunk?.Input ?? Representative.Bytes;

    /// <summary>A file-name form of the signature, e.g. "live-update-state-differs-in-watch".</summary>
    public string Slug
    {
        get
        {
            var chars = signature.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray();
            var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
            return slug.Length > 60 ? slug[..60].TrimEnd('-') : slug;
        }
    }

    public string FolderName => number.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + Slug;
}
