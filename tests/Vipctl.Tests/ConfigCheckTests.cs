namespace Vipctl.Tests;

/// <summary><c>vipctl config check FILE</c> prints exactly what <c>vipd check --config FILE</c> prints, with its exit code.</summary>
public sealed class ConfigCheckTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Corpus, "*.toml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepoPaths.Root, file));
        }

        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "examples"), "*.toml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepoPaths.Root, file));
        }

        data.Add("tests/Vipctl.Tests/no-such-file.toml");
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task ConfigCheck_File_PrintsWhatVipdCheckPrints(string relativePath)
    {
        var path = Path.Combine(RepoPaths.Root, relativePath);

        // Both built programs, as a user runs them (their runtime settings, such as resource keys, included).
        var vipctl = await RunAsync(RepoPaths.VipctlDll, "config", "check", path);
        var vipd = await RunAsync(RepoPaths.VipdDll, "check", "--config", path);

        Assert.Equal(vipd, vipctl);
        Assert.NotEqual(string.Empty, vipctl.Output + vipctl.Error);
    }

    [Fact]
    public void Corpus_IsThere()
    {
        Assert.True(Files().Count >= 15);
    }

    [Fact]
    public async Task ConfigCheck_BadFileJson_ListsEveryError()
    {
        var path = Path.Combine(RepoPaths.Corpus, "bad-cidr.toml");

        var run = await CliRun.RunAsync("config", "check", path, "-o", "json");
        var expected = (await CliRun.RunAsync("config", "check", path)).Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        using var json = System.Text.Json.JsonDocument.Parse(run.Output);
        Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
        var errors = json.RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => $"{e.GetProperty("file").GetString()}:{e.GetProperty("line").GetInt32()}:{e.GetProperty("column").GetInt32()}: {e.GetProperty("message").GetString()}");
        Assert.Equal(expected, errors);
    }

    [Fact]
    public async Task ConfigCheck_GoodFileJson_SaysOk()
    {
        var folder = Directory.CreateTempSubdirectory("vipctl-test-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "cluster.key"), Convert.ToBase64String(new byte[32]) + "\n");
            var path = Path.Combine(folder, "vipd.toml");
            await File.WriteAllTextAsync(path, """
                [node]
                name = "n1"
                address = "192.0.2.11"

                [cluster]
                key_file = "cluster.key"

                [[vip]]
                name = "web"
                address = "192.0.2.200/24"
                interface = "eth0"
                """);

            var table = await CliRun.RunAsync("config", "check", path);
            var json = await CliRun.RunAsync("config", "check", path, "-o", "json");

            Assert.Equal((0, $"{path}: ok (node n1, 1 VIPs, 0 checks)\n", string.Empty), (table.ExitCode, table.Output, table.Error));
            Assert.Equal(0, json.ExitCode);
            using var document = System.Text.Json.JsonDocument.Parse(json.Output);
            Assert.True(document.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal("n1", document.RootElement.GetProperty("node").GetString());
            Assert.Equal(0, document.RootElement.GetProperty("errors").GetArrayLength());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs a built program: <c>dotnet exec DLL ARGS</c>.</summary>
    private static Task<CliRun> RunAsync(string dll, params string[] args) => ChildProcess.RunAsync("dotnet", ["exec", dll, .. args]);
}
