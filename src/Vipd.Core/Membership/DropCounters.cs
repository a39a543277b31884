using Vipd.Core.Wire;

namespace Vipd.Core.Membership;

/// <summary>Dropped datagrams and messages per <see cref="DropReason"/>. Thread-safe; counts only grow.</summary>
public sealed class DropCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<DropReason>().Length + 1];

    /// <summary>Drops for one reason.</summary>
    public long this[DropReason reason] =>
        (int)reason is var i && i >= 0 && i < _counts.Length ? Interlocked.Read(ref _counts[i]) : 0;

    /// <summary>All drops.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            for (var i = 1; i < _counts.Length; i++)
            {
                total += Interlocked.Read(ref _counts[i]);
            }

            return total;
        }
    }

    /// <summary>Every reason with a non-zero count.</summary>
    public IReadOnlyDictionary<DropReason, long> Snapshot()
    {
        var result = new Dictionary<DropReason, long>();
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            if (reason != DropReason.None && this[reason] is var count and > 0)
            {
                result[reason] = count;
            }
        }

        return result;
    }

    internal void Increment(DropReason reason)
    {
        var i = (int)reason;
        if (i > 0 && i < _counts.Length)
        {
            Interlocked.Increment(ref _counts[i]);
        }
    }
}
