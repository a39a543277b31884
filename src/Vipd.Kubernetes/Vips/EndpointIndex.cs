using Vipd.Kubernetes.Kube.Models;

namespace Vipd.Kubernetes.Vips;

/// <summary>The nodes that host a ready (or serving) endpoint of each Service, from its EndpointSlices.</summary>
internal static class EndpointIndex
{
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    /// <summary>Key "namespace/service" → node names.</summary>
    public static Dictionary<string, SortedSet<string>> Build(IEnumerable<EndpointSlice> slices)
    {
        var result = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var slice in slices)
        {
            if (slice.Metadata.Labels?.GetValueOrDefault(ServiceNameLabel) is not { Length: > 0 } service)
            {
                continue;
            }

            var key = $"{slice.Metadata.Namespace}/{service}";
            if (!result.TryGetValue(key, out var nodes))
            {
                result[key] = nodes = new SortedSet<string>(StringComparer.Ordinal);
            }

            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (endpoint.NodeName is { Length: > 0 } node && CanServe(endpoint.Conditions))
                {
                    nodes.Add(node);
                }
            }
        }

        return result;
    }

    /// <summary>Ready (absent means ready, as the API defines it), or still serving while terminating.</summary>
    public static bool CanServe(EndpointConditions? conditions) =>
        (conditions?.Ready ?? true) || conditions?.Serving == true;
}
