namespace Vipctl.Tests;

/// <summary>
/// Golden output files in <c>tests/Vipctl.Tests/Golden</c>; <c>VIPCTL_WRITE_GOLDEN=1</c> rewrites them (then review
/// the diff).
/// </summary>
internal static class Golden
{
    public static string Folder => Path.Combine(RepoPaths.Root, "tests", "Vipctl.Tests", "Golden");

    public static void Match(string name, string actual)
    {
        var path = Path.Combine(Folder, name);
        if (Environment.GetEnvironmentVariable("VIPCTL_WRITE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"missing golden file {path} (VIPCTL_WRITE_GOLDEN=1 writes it)");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
