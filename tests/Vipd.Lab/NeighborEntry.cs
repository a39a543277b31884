using System.Net;
using System.Net.NetworkInformation;

namespace Vipd.Lab;

/// <summary>One neighbour-cache entry as <c>ip -j neigh</c> shows it; <paramref name="State"/> is e.g. "REACHABLE" or "STALE" (several joined with ',').</summary>
public sealed record NeighborEntry(IPAddress Address, PhysicalAddress? Mac, string State);
