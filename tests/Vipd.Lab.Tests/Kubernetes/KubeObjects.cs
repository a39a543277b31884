using System.Text.Json.Nodes;

namespace Vipd.Lab.Tests.Kubernetes;

/// <summary>Services and EndpointSlices of the real shape, as JSON for the fake API server (documentation addresses only).</summary>
internal static class KubeObjects
{
    public const string Namespace = "default";

    public static JsonObject Service(string name, bool local) => new()
    {
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = Namespace,
            ["uid"] = $"uid-{name}",
            ["creationTimestamp"] = "2026-01-01T00:00:00Z",
        },
        ["spec"] = new JsonObject
        {
            ["type"] = "LoadBalancer",
            ["externalTrafficPolicy"] = local ? "Local" : "Cluster",
            ["clusterIP"] = "198.51.100.10",
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["protocol"] = "TCP", ["port"] = 80 }),
        },
    };

    /// <summary>One ready endpoint on each of <paramref name="nodes"/>.</summary>
    public static JsonObject Slice(string service, string name, params string[] nodes) => Slice(service, name, ready: true, nodes);

    /// <summary>One endpoint on each of <paramref name="nodes"/>, ready and serving or neither.</summary>
    public static JsonObject Slice(string service, string name, bool ready, params string[] nodes)
    {
        var endpoints = new JsonArray();
        for (var i = 0; i < nodes.Length; i++)
        {
            endpoints.Add(new JsonObject
            {
                ["addresses"] = new JsonArray($"198.51.100.{100 + i}"),
                ["nodeName"] = nodes[i],
                ["conditions"] = new JsonObject { ["ready"] = ready, ["serving"] = ready, ["terminating"] = false },
            });
        }

        return new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = Namespace,
                ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = service },
            },
            ["addressType"] = "IPv4",
            ["endpoints"] = endpoints,
        };
    }
}
