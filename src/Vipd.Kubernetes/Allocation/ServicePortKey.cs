namespace Vipd.Kubernetes.Allocation;

/// <summary>A protocol and port of a Service: two Services sharing an address must not both use one.</summary>
internal readonly record struct ServicePortKey(string Protocol, int Port)
{
    public override string ToString() => $"{Port}/{Protocol}";
}
