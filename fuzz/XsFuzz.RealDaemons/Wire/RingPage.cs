using XsFuzz.Harness.Running;
using System.IO.MemoryMappedFiles;

namespace XsFuzz.RealDaemons.Wire;

/// <summary>
/// A domain's xenstore ring page (xs_wire.h's <c>struct xenstore_domain_interface</c>) mapped shared
/// from a file: <c>req[1024]</c> at 0, <c>rsp[1024]</c> at 1024, then the indexes req_cons, req_prod,
/// rsp_cons, rsp_prod (32-bit, free-running, taken modulo 1024 to index the ring). The daemon maps the
/// same file (scripts/real/ring.h), so every store here is a store into its memory.
/// </summary>
public sealed class RingPage : IDisposable
{
    public const int PageSize = 4096;
    public const int RingSize = 1024;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;

    private RingPage(MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        _file = file;
        _view = view;
        Requests = new RingHalf(view, dataOffset: 0, consOffset: 2048, prodOffset: 2052);
        Responses = new RingHalf(view, dataOffset: 1024, consOffset: 2056, prodOffset: 2060);
    }

    /// <summary>req[]: the guest produces, the daemon consumes.</summary>
    public RingHalf Requests { get; }

    /// <summary>rsp[]: the daemon produces (replies and watch events), the guest consumes.</summary>
    public RingHalf Responses { get; }

    /// <summary>Maps the page at <paramref name="path"/>, creating it as 4096 zero bytes if missing.</summary>
    public static RingPage Open(string path)
    {
        using (var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            if (stream.Length < PageSize) stream.SetLength(PageSize);
        }
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, PageSize, MemoryMappedFileAccess.ReadWrite);
        try
        {
            return new RingPage(file, file.CreateViewAccessor(0, PageSize, MemoryMappedFileAccess.ReadWrite));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Replaces the page at <paramref name="path"/> by 4096 zero bytes (a new file: a daemon that still
    /// maps the old one keeps it), as a toolstack gives a new guest a zeroed page.
    /// </summary>
    public static void CreateFresh(string path)
    {
        var fresh = path + ".new";
        File.WriteAllBytes(fresh, new byte[PageSize]);
        File.Move(fresh, path, overwrite: true);
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }
}

/// <summary>
/// One direction of the ring: a 1024-byte circular buffer with its consumer and producer indexes.
/// The ordering is xs_wire.h's protocol, with a full barrier wherever Linux's xenbus driver has one:
/// a producer reads the consumer index, writes the bytes, and only then publishes the new producer
/// index; a consumer reads the producer index, copies the bytes out, and only then publishes the new
/// consumer index (so the other side never sees an index before the bytes it covers, and never reuses
/// a slot before it was copied).
/// </summary>
public sealed class RingHalf
{
    private readonly MemoryMappedViewAccessor _view;
    private readonly int _data, _cons, _prod;

    internal RingHalf(MemoryMappedViewAccessor view, int dataOffset, int consOffset, int prodOffset)
    {
        _view = view;
        _data = dataOffset;
        _cons = consOffset;
        _prod = prodOffset;
    }

    public uint Consumer => ReadIndex(_cons);
    public uint Producer => ReadIndex(_prod);

    /// <summary>Bytes written and not yet consumed (more than 1024 means a corrupt ring).</summary>
    public uint Unread => unchecked(Producer - Consumer);

    /// <summary>Copies as much of <paramref name="bytes"/> as fits, wrapping at the end; returns how much.</summary>
    /// <exception cref="InvalidDataException">The indexes are more than a ring apart.</exception>
    public int Produce(ReadOnlySpan<byte> bytes)
    {
        var cons = ReadIndex(_cons);
        var prod = ReadIndex(_prod);
        Interlocked.MemoryBarrier();
        var used = Check(cons, prod);
        var count = Math.Min(bytes.Length, RingPage.RingSize - used);
        for (var done = 0; done < count;)
        {
            var at = (int)((prod + (uint)done) % RingPage.RingSize);
            var chunk = Math.Min(count - done, RingPage.RingSize - at);   // up to the wrap
            _view.WriteArray(_data + at, bytes.Slice(done, chunk).ToArray(), 0, chunk);
            done += chunk;
        }
        Interlocked.MemoryBarrier();                                       // bytes before the index
        WriteIndex(_prod, unchecked(prod + (uint)count));
        return count;
    }

    /// <summary>Copies out up to <paramref name="into"/>'s length of unread bytes; returns how many.</summary>
    /// <exception cref="InvalidDataException">The indexes are more than a ring apart.</exception>
    public int Consume(Span<byte> into)
    {
        var cons = ReadIndex(_cons);
        var prod = ReadIndex(_prod);
        Interlocked.MemoryBarrier();                                       // the index before the bytes
        var count = Math.Min(into.Length, Check(cons, prod));
        var chunkBuffer = new byte[RingPage.RingSize];
        for (var done = 0; done < count;)
        {
            var at = (int)((cons + (uint)done) % RingPage.RingSize);
            var chunk = Math.Min(count - done, RingPage.RingSize - at);
            _view.ReadArray(_data + at, chunkBuffer, 0, chunk);
            chunkBuffer.AsSpan(0, chunk).CopyTo(into[done..]);
            done += chunk;
        }
        Interlocked.MemoryBarrier();                                       // copied before the slots are freed
        WriteIndex(_cons, unchecked(cons + (uint)count));
        return count;
    }

    private static int Check(uint cons, uint prod)
    {
        var used = unchecked(prod - cons);
        if (used > RingPage.RingSize) throw new InvalidDataException($"corrupt ring indexes: cons {cons}, prod {prod}");
        return (int)used;
    }

    private uint ReadIndex(int offset)
    {
        var value = _view.ReadUInt32(offset);
        Interlocked.MemoryBarrier();
        return value;
    }

    private void WriteIndex(int offset, uint value)
    {
        Interlocked.MemoryBarrier();
        _view.Write(offset, value);
        Interlocked.MemoryBarrier();
    }
}
