using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Vipd.Kubernetes.Vips;

/// <summary>
/// The dynamic VIP name of a Service's address: <c>NAMESPACE.NAME.v4</c> / <c>.v6</c> (Kubernetes names are DNS labels
/// without dots, so the name is unambiguous). Longer than 63 characters: cut, plus 8 hex digits of a SHA-256 of the
/// whole, so that two long names never collide by the cut.
/// </summary>
internal static class VipName
{
    public const int MaxLength = 63;

    public static string For(string ns, string name, AddressFamily family)
    {
        var suffix = family == AddressFamily.InterNetworkV6 ? ".v6" : ".v4";
        var full = $"{ns}.{name}{suffix}";
        if (full.Length <= MaxLength)
        {
            return full;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..8];
        var keep = MaxLength - suffix.Length - hash.Length - 1;
        return $"{full[..keep]}-{hash}{suffix}";
    }
}
