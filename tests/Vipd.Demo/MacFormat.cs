using System.Net.NetworkInformation;

namespace Vipd.Demo;

/// <summary>MACs the way <c>ip</c> prints them.</summary>
internal static class MacFormat
{
    public static string ToColonString(this PhysicalAddress mac) =>
        string.Join(':', mac.GetAddressBytes().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
