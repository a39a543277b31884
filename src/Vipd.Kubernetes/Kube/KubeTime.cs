using System.Globalization;

namespace Vipd.Kubernetes.Kube;

/// <summary>The API's time formats: Time (RFC 3339, seconds) and MicroTime (six fraction digits).</summary>
internal static class KubeTime
{
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string MicroTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
