namespace Vipd.Core.Tests.Config;

/// <summary>Finds folders of the repository from the test's output folder (no copying into bin/).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Examples => Path.Combine(Root, "examples");

    public static string Corpus => Path.Combine(Root, "tests", "Vipd.Core.Tests", "Config", "Corpus");

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
