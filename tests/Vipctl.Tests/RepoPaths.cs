namespace Vipctl.Tests;

/// <summary>Finds the repository from the test's output folder (no copying into bin/).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Corpus => Path.Combine(Root, "tests", "Vipd.Core.Tests", "Config", "Corpus");

    /// <summary>The vipctl.dll that the build of this test put beside its own project (same configuration).</summary>
    public static string VipctlDll => Path.Combine(
        AppContext.BaseDirectory.Replace(Path.Combine("tests", "Vipctl.Tests"), Path.Combine("src", "Vipctl"), StringComparison.Ordinal), "vipctl.dll");

    /// <summary>The vipd.dll built beside its own project (same configuration).</summary>
    public static string VipdDll => Path.Combine(
        AppContext.BaseDirectory.Replace(Path.Combine("tests", "Vipctl.Tests"), Path.Combine("src", "Vipd"), StringComparison.Ordinal), "vipd.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "vipd.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no vipd.sln above {AppContext.BaseDirectory}");
    }
}
