namespace Vipd.Core.Membership;

/// <summary>A member's large metadata being fetched: the body its reference names, reassembled from fragments.</summary>
internal sealed class MetadataFetch(ulong hash, int length)
{
    private readonly Dictionary<int, int> _ends = [];

    public ulong Hash { get; } = hash;

    public int Length { get; } = length;

    /// <summary>Allocated at the first fragment (within the membership's budget).</summary>
    public byte[]? Buffer { get; set; }

    public int Received { get; private set; }

    /// <summary>TimeProvider timestamp of the last request sent (0: none yet).</summary>
    public long LastRequest { get; set; }

    public bool IsComplete => Received >= Length;

    /// <summary>The first byte not received yet (0 before the first fragment).</summary>
    public int FirstMissing
    {
        get
        {
            var at = 0;
            while (_ends.TryGetValue(at, out var end))
            {
                at = end;
            }

            return at;
        }
    }

    /// <summary>Copies a fragment in; false when it was seen already.</summary>
    public bool Add(int offset, ReadOnlySpan<byte> chunk)
    {
        if (Buffer is null || !_ends.TryAdd(offset, offset + chunk.Length))
        {
            return false;
        }

        chunk.CopyTo(Buffer.AsSpan(offset));
        Received += chunk.Length;
        return true;
    }
}
