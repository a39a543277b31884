using System.Reflection;

namespace Vipctl;

/// <summary>The version Directory.Build.props sets (<c>VersionPrefix</c>), without the source revision suffix.</summary>
internal static class VersionInfo
{
    public static string Version { get; } =
        typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "unknown";
}
