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

    /// <summary>
    /// Copies the vipd executable of <see cref="Find"/> into <paramref name="directory"/>, with everything beside it
    /// when it is a framework-dependent build (its assemblies and runtime config), every directory 0755 and every file
    /// world-readable: another user (the unit's) can then run it even when the checkout lies under a directory that
    /// user cannot enter, such as a 0700 home. Returns the copy's path.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public static string CopyForOtherUsers(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var source = Find();
        var from = Path.GetDirectoryName(Path.GetFullPath(source))!;
        var frameworkDependent = File.Exists(Path.Combine(from, "vipd.dll"));
        const UnixFileMode Open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        Directory.CreateDirectory(directory);
        File.SetUnixFileMode(directory, Open);
        var files = frameworkDependent ? Directory.GetFiles(from, "*", SearchOption.AllDirectories) : [source];
        foreach (var file in files)
        {
            var target = Path.Combine(directory, Path.GetRelativePath(from, file));
            var parent = Path.GetDirectoryName(target)!;
            if (!Directory.Exists(parent))
            {
                Directory.CreateDirectory(parent);
                for (var d = parent; d.Length > directory.Length; d = Path.GetDirectoryName(d)!)
                {
                    File.SetUnixFileMode(d, Open);
                }
            }

            File.Copy(file, target, overwrite: true);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file) | UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        return Path.Combine(directory, Path.GetFileName(source));
    }
}
