namespace Vipd.Kubernetes.Allocation;

/// <summary>The Service annotations vipd-k8s reads.</summary>
internal static class Annotations
{
    /// <summary>One address, or an IPv4 and an IPv6 address separated by a comma: the Service gets exactly these.</summary>
    public const string Address = "vipd.io/address";

    /// <summary>The pool to allocate from (also one with <c>auto_assign = false</c>).</summary>
    public const string Pool = "vipd.io/pool";

    /// <summary>Services with the same value may share an address when their ports do not clash.</summary>
    public const string AllowSharedIp = "vipd.io/allow-shared-ip";

    /// <summary>The condition vipd-k8s keeps on each of its Services.</summary>
    public const string ConditionType = "vipd.io/AddressAllocated";
}
