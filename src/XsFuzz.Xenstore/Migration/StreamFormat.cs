namespace XsFuzz.Xenstore.Migration;

/// <summary>Record types of the live-update stream; see STREAM.md beside this file.</summary>
internal enum RecordType : uint
{
    End = 0,
    Global = 1,
    Domain = 2,
    Node = 3,
    LiveStore = 4,
    Connection = 5,
    Watch = 6,
    Transaction = 7,
    SourceEvents = 8,
    PartialInput = 9,
    ClosedConnection = 10,
    DetachedWatch = 11,
}

/// <summary>The stream header: Xen's migration-stream layout, with this model's own version.</summary>
internal static class StreamFormat
{
    /// <summary>"xenstore", as in Xen's xenstore-migration.md.</summary>
    public static ReadOnlySpan<byte> Magic => "xenstore"u8;

    /// <summary>Not Xen's 1 or 2: the records are this model's (they carry what oxenstored needs).</summary>
    public const uint Version = 0x5846_0002; // "XF" 2: records carry checksums

    /// <summary>Header: magic, version (big-endian), flags (big-endian; 0 = little-endian records).</summary>
    public const int HeaderSize = 16;

    /// <summary>Each record: type u32, body length u32, body, zero padding to a multiple of 8, checksum.</summary>
    public const int RecordHeaderSize = 8;

    /// <summary>After each record's padding: XxHash64 (seed 0) of its header, body and padding, little-endian.</summary>
    public const int ChecksumSize = 8;

    public static int Padding(int length) => (8 - length % 8) % 8;
}

/// <summary>A dump stream that cannot be restored; the message names the record and byte offset.</summary>
public sealed class RestoreException(string message) : Exception(message);
