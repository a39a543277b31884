using Vipd.Linux;
using Vipd.Linux.Interfaces;
using Vipd.Linux.Netlink;

namespace Vipd.Hosting;

/// <summary>Start-up checks that turn a misconfigured host into one clear line and a documented exit code.</summary>
internal static class Preflight
{
    /// <summary>
    /// The capabilities vipd lacks among CAP_NET_ADMIN (addresses) and CAP_NET_RAW (ARP/NA) in its effective set;
    /// empty when it has both.
    /// </summary>
    public static IReadOnlyList<string> MissingCapabilities()
    {
        var missing = new List<string>(2);
        if (!Capabilities.Has(Capabilities.NetAdmin))
        {
            missing.Add("CAP_NET_ADMIN");
        }

        if (!Capabilities.Has(Capabilities.NetRaw))
        {
            missing.Add("CAP_NET_RAW");
        }

        return missing;
    }

    /// <summary>
    /// Why this kernel cannot run vipd, or null when it can: vipd recognises the addresses it added only by their
    /// IFA_PROTO mark, which kernels before 5.18 (without a backport) drop without a word (<see cref="AddressProtocolProbe"/>).
    /// </summary>
    public static string? KernelProblem()
    {
        AddressProtocolSupport support;
        try
        {
            support = AddressProtocolProbe.Probe();
        }
        catch (KernelException ex)
        {
            return $"cannot ask the kernel whether it keeps address marks (IFA_PROTO): {ex.Message}";
        }

        return support == AddressProtocolSupport.Supported ? null : UnsupportedKernelMessage(KernelRelease());
    }

    /// <summary>The one line for a kernel without IFA_PROTO.</summary>
    public static string UnsupportedKernelMessage(string release) =>
        $"this kernel ({release}) drops the mark (IFA_PROTO) vipd puts on the addresses it adds, so vipd could not tell its "
        + "VIPs from addresses an operator configured and would never remove them: vipd needs Linux 5.18 or later, or a "
        + "distribution kernel with IFA_PROTO backported";

    private static string KernelRelease()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return "unknown release";
        }
    }
}
