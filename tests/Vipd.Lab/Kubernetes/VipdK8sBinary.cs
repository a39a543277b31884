namespace Vipd.Lab.Kubernetes;

/// <summary>Finds the vipd-k8s executable built from this checkout (tests/run builds the solution first).</summary>
public static class VipdK8sBinary
{
    /// <summary>
    /// <c>VIPD_K8S_BINARY</c> when set (e.g. the NativeAOT build), otherwise the JIT build
    /// <c>src/Vipd.Kubernetes/bin/&lt;same configuration as the caller&gt;/net10.0/vipd-k8s</c>.
    /// </summary>
    public static string Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("VIPD_K8S_BINARY");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return File.Exists(fromEnvironment) ? fromEnvironment : throw new FileNotFoundException($"VIPD_K8S_BINARY={fromEnvironment} does not exist");
        }

        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = directory.Parent?.Name ?? "Release"; // .../bin/<Configuration>/net10.0/
        for (var up = directory; up is not null; up = up.Parent)
        {
            if (File.Exists(Path.Combine(up.FullName, "vipd.sln")))
            {
                var path = Path.Combine(up.FullName, "src", "Vipd.Kubernetes", "bin", configuration, "net10.0", "vipd-k8s");
                return File.Exists(path)
                    ? path
                    : throw new FileNotFoundException($"{path} is missing: build the solution first (`dotnet build vipd.sln -c {configuration}`)");
            }
        }

        throw new DirectoryNotFoundException($"no vipd.sln above {AppContext.BaseDirectory}");
    }
}
