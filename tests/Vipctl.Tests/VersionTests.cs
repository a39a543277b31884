using System.Xml.Linq;

namespace Vipctl.Tests;

/// <summary><c>vipctl version</c> and <c>--version</c> print Directory.Build.props' VersionPrefix.</summary>
public sealed class VersionTests
{
    private static string VersionPrefix =>
        XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props")).Descendants("VersionPrefix").Single().Value;

    [Theory]
    [InlineData("version")]
    [InlineData("--version")]
    public async Task Version_PrintsTheVersionPrefix(string argument)
    {
        var run = await CliRun.RunAsync(argument);

        Assert.Equal((0, $"vipctl {VersionPrefix}\n", string.Empty), (run.ExitCode, run.Output, run.Error));
    }

    [Fact]
    public async Task Version_Json_IsAnObject()
    {
        var run = await CliRun.RunAsync("version", "-o", "json");

        using var json = System.Text.Json.JsonDocument.Parse(run.Output);
        Assert.Equal(VersionPrefix, json.RootElement.GetProperty("version").GetString());
    }
}
