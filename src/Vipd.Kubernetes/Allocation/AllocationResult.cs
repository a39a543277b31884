using System.Net;

namespace Vipd.Kubernetes.Allocation;

/// <summary>The addresses one Service gets and, when it did not get all it needs, why (a condition reason and message).</summary>
internal sealed record AllocationResult(IReadOnlyList<IPAddress> Addresses, string? Reason, string? Message)
{
    public bool Ok => Reason is null;
}
