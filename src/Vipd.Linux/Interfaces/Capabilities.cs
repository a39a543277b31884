using System.Globalization;

namespace Vipd.Linux.Interfaces;

/// <summary>
/// The process's effective capabilities, from the <c>CapEff:</c> line of /proc/self/status (a hex bit mask).
/// vipd needs CAP_NET_ADMIN (addresses) and CAP_NET_RAW (ARP/NA frames); startup checks them to exit with one line.
/// </summary>
public static class Capabilities
{
    /// <summary>CAP_NET_RAW (linux/capability.h).</summary>
    public const int NetRaw = 13;

    /// <summary>CAP_NET_ADMIN (linux/capability.h).</summary>
    public const int NetAdmin = 12;

    /// <summary>True when this process has <paramref name="capability"/> in its effective set.</summary>
    public static bool Has(int capability) => Has(File.ReadAllText("/proc/self/status"), capability);

    /// <summary>Reads the effective set from the text of a /proc/PID/status file.</summary>
    internal static bool Has(string status, int capability)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capability);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capability, 63);
        return (Effective(status) & (1UL << capability)) != 0;
    }

    /// <summary>The CapEff mask; 0 when the line is missing or malformed.</summary>
    internal static ulong Effective(string status)
    {
        foreach (var line in status.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
            {
                return ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask) ? mask : 0;
            }
        }

        return 0;
    }
}
