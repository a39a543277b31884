using Vipd.Linux.Interfaces;

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
}
