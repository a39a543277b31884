namespace Vipd.Lab.Daemon;

/// <summary>Finds the vipd executable built from this checkout (tests/run builds the solution first).</summary>
public static class VipdBinary
{
    /// <summary>
    /// <c>VIPD_BINARY</c> when set (e.g. the NativeAOT build in artifacts/aot), otherwise
    /// <c>src/Vipd/bin/&lt;same configuration as the caller&gt;/net10.0/vipd</c>.
    /// </summary>
    public static string Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("VIPD_BINARY");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return File.Exists(fromEnvironment) ? fromEnvironment : throw new FileNotFoundException($"VIPD_BINARY={fromEnvironment} does not exist");
        }

        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = directory.Parent?.Name ?? "Release"; // .../bin/<Configuration>/net10.0/
        for (var up = directory; up is not null; up = up.Parent)
        {
            if (File.Exists(Path.Combine(up.FullName, "vipd.sln")))
            {
                var path = Path.Combine(up.FullName, "src", "Vipd", "bin", configuration, "net10.0", "vipd");
                return File.Exists(path)
                    ? path
                    : throw new FileNotFoundException($"{path} is missing: build the solution first (`dotnet build vipd.sln -c {configuration}`)");
            }
        }

        throw new DirectoryNotFoundException($"no vipd.sln above {AppContext.BaseDirectory}");
    }
}
