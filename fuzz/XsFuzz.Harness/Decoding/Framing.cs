namespace XsFuzz.Harness.Decoding;

/// <summary>
/// How an input is cut into records: one record per scenario element (the setup header, each initial
/// node, each command), separated by <see cref="Separator"/>.
/// </summary>
/// <remarks>
/// Why separators and not length prefixes: a length prefix ties every later record to the exact byte
/// count before it, so a single inserted or deleted byte (AFL's most common havoc steps) re-frames the
/// whole rest of the input. With a separator an insertion or deletion disturbs only the record it lands
/// in; block deletions remove whole commands and splices keep the commands on both sides intact.
/// Inside a record reads are sequential and bounded by the record, so a changed pick (another op, a
/// longer literal) never shifts the following commands either.
/// Record bytes equal to the separator or the escape byte are written as <see cref="Escape"/> followed by
/// 0 (for 0xFE) or 1 (for 0xFF); the decoder reads ESC x as 0xFE + (x &amp; 1), so every input decodes.
/// </remarks>
internal static class Framing
{
    public const byte Separator = 0xFF;
    public const byte Escape = 0xFE;
}
