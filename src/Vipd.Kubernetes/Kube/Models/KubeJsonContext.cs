using System.Text.Json.Serialization;

namespace Vipd.Kubernetes.Kube.Models;

/// <summary>Source-generated JSON for the Kubernetes objects vipd-k8s reads and writes (no reflection: AOT-safe).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Service))]
[JsonSerializable(typeof(ServiceList))]
[JsonSerializable(typeof(EndpointSlice))]
[JsonSerializable(typeof(EndpointSliceList))]
[JsonSerializable(typeof(Lease))]
[JsonSerializable(typeof(KubeEvent))]
[JsonSerializable(typeof(Status))]
[JsonSerializable(typeof(Condition))]
internal sealed partial class KubeJsonContext : JsonSerializerContext;
