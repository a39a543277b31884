using System.Globalization;

namespace Vipd.Hosting;

/// <summary>Start-up checks that turn a misconfigured host into one clear line and a documented exit code.</summary>
internal static class Preflight
{
    private const int CapNetAdmin = 12;
    private const int CapNetRaw = 13;

    /// <summary>
    /// The capabilities vipd lacks among CAP_NET_ADMIN (addresses) and CAP_NET_RAW (ARP/NA), read from the
    /// effective set in <c>/proc/self/status</c>; empty when it has both.
    /// </summary>
    public static IReadOnlyList<string> MissingCapabilities(string statusText)
    {
        ArgumentNullException.ThrowIfNull(statusText);
        var line = statusText.Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        if (line is null || !ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var effective))
        {
            return ["CAP_NET_ADMIN", "CAP_NET_RAW"];
        }

        var missing = new List<string>();
        if ((effective & (1UL << CapNetAdmin)) == 0)
        {
            missing.Add("CAP_NET_ADMIN");
        }

        if ((effective & (1UL << CapNetRaw)) == 0)
        {
            missing.Add("CAP_NET_RAW");
        }

        return missing;
    }

    /// <summary>The same check for this process.</summary>
    public static IReadOnlyList<string> MissingCapabilities() => MissingCapabilities(File.ReadAllText("/proc/self/status"));
}
