namespace Vipd.Lab;

/// <summary>How a lab process enters its host's network namespace.</summary>
public enum LabLauncher
{
    /// <summary>
    /// <c>ip netns exec NS</c>: also a private mount namespace with /sys remounted for the namespace (so
    /// /sys/class/net shows its interfaces) and /etc/netns/NS bind-mounted; the default.
    /// </summary>
    IpNetnsExec,

    /// <summary>
    /// <c>nsenter --net=/run/netns/NS --</c>: setns(2) into the network namespace and exec, nothing else (~1 ms
    /// instead of ~5): for programs that read nothing from /sys or /etc/netns, such as vipd (/proc/sys/net and
    /// /proc/net follow the caller's namespace).
    /// </summary>
    Nsenter,
}
