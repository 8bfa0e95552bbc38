namespace XsFuzz.Harness.Decoding;

/// <summary>
/// Maps one byte to one of several alternatives with given weights (the weights sum to 256, so byte
/// value b picks the alternative whose range holds b). Alternative 0 owns byte 0, i.e. it is the default
/// past the end of input: list the most useful alternative first.
/// </summary>
internal sealed class WeightTable
{
    private readonly byte[] _pick = new byte[256];
    private readonly byte[] _first;

    public WeightTable(params int[] weights)
    {
        if (weights.Length is 0 or > 256) throw new ArgumentException("1..256 alternatives", nameof(weights));
        if (weights.Sum() != 256) throw new ArgumentException($"weights sum to {weights.Sum()}, not 256", nameof(weights));
        _first = new byte[weights.Length];
        var at = 0;
        for (var alt = 0; alt < weights.Length; alt++)
        {
            if (weights[alt] <= 0) throw new ArgumentException("every weight must be positive", nameof(weights));
            _first[alt] = (byte)at;
            for (var k = 0; k < weights[alt]; k++) _pick[at++] = (byte)alt;
        }
    }

    public int Count => _first.Length;

    public int Pick(byte b) => _pick[b];

    /// <summary>The smallest byte that picks <paramref name="alternative"/> (what the encoder writes).</summary>
    public byte FirstByteOf(int alternative) => _first[alternative];
}
