namespace XsFuzz.Harness.Reporting;

/// <summary>
/// What a report says around a divergence, which differs between pairs of targets: the headline, the
/// two sides' names, header lines (the planted fault, whether the allow-list knows it), the reproducer
/// lines, and trailing notes (what of the input was not run, the daemons' recent output).
/// </summary>
public sealed record ReportFrame(
    string Headline,
    string UpdatedLabel,
    string ReferenceLabel,
    IReadOnlyList<string> HeaderLines,
    string ScenarioTitle,
    IReadOnlyList<string> Reproducer,
    string? ScenarioNote = null,
    string? Diagnostics = null);
