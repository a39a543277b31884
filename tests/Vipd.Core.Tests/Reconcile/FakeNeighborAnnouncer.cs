using System.Net;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Reconcile;

/// <summary>Records every announcement with the fake time it left at.</summary>
internal sealed class FakeNeighborAnnouncer(TimeProvider time) : INeighborAnnouncer
{
    private readonly Lock _lock = new();
    private readonly DateTimeOffset _start = time.GetUtcNow();
    private readonly List<(TimeSpan At, LinkInfo Link, IPAddress Address)> _sent = [];

    /// <summary>Thrown by Announce while set.</summary>
    public Exception? Failure { get; set; }

    public IReadOnlyList<(TimeSpan At, LinkInfo Link, IPAddress Address)> Sent
    {
        get
        {
            lock (_lock)
            {
                return [.. _sent];
            }
        }
    }

    public IReadOnlyList<double> TimesMs(IPAddress address)
        => [.. Sent.Where(s => s.Address.Equals(address)).Select(s => s.At.TotalMilliseconds)];

    public void Announce(LinkInfo link, IPAddress address)
    {
        if (Failure is not null)
        {
            throw Failure;
        }

        lock (_lock)
        {
            _sent.Add((time.GetUtcNow() - _start, link, address));
        }
    }
}
