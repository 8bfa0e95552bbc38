using XsFuzz.Harness.Decoding;

namespace XsFuzz.Harness;

/// <summary>
/// Random byte strings for `xsfuzz check`, from a seed (same seed, same sequence). They are plain bytes
/// that go through the same decoder as AFL's inputs; only their shape is tuned: records of mostly short
/// random bytes joined by the separator, so that a random input holds a setup and tens of commands
/// instead of one long record.
/// </summary>
public sealed class RandomInputs(int seed)
{
    private readonly Random _random = new(seed);

    public byte[] Next(int maxCommands)
    {
        var bytes = new List<byte>(512);
        Record(bytes, _random.Next(0, 13));
        var records = _random.Next(0, 7) + _random.Next(0, maxCommands + 1);
        for (var i = 0; i < records; i++)
        {
            bytes.Add(Framing.Separator);
            var roll = _random.Next(100);
            Record(bytes, roll < 60 ? _random.Next(2, 13) : roll < 92 ? _random.Next(13, 33) : _random.Next(33, 121));
        }
        return bytes.ToArray();
    }

    private void Record(List<byte> into, int length)
    {
        for (var i = 0; i < length; i++) into.Add((byte)_random.Next(0, Framing.Separator));
    }
}
