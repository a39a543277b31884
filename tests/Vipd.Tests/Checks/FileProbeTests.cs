using Vipd.Checks;

namespace Vipd.Tests.Checks;

/// <summary>file checks on real files in a per-test temp directory.</summary>
public sealed class FileProbeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vipd-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("42\n", true, 42)]
    [InlineData("-10", true, -10)]
    [InlineData("  +7  \nignored\n", true, 7)]
    [InlineData("0", true, 0)]
    [InlineData("fault\n", false, null)]
    [InlineData("FAULT", false, null)]
    [InlineData("", true, null)]
    [InlineData("ok", true, null)]
    [InlineData("99999999999", true, null)]
    public async Task RunAsync_Contents_Interpreted(string contents, bool passed, int? value)
    {
        var path = Path.Combine(_dir, "state");
        await File.WriteAllTextAsync(path, contents);
        using var probe = new FileProbe(path);

        var result = await probe.RunAsync(CancellationToken.None);

        Assert.Equal(passed, result.Passed);
        Assert.Equal(value, result.FileValue);
    }

    [Fact]
    public async Task RunAsync_Number_DetailNamesIt()
    {
        var path = Path.Combine(_dir, "prio");
        await File.WriteAllTextAsync(path, "15\n");
        using var probe = new FileProbe(path);

        Assert.Equal(ProbeResult.Pass($"{path}: 15", 15), await probe.RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_Missing_Fails()
    {
        var path = Path.Combine(_dir, "missing");
        using var probe = new FileProbe(path);

        var result = await probe.RunAsync(CancellationToken.None);

        Assert.False(result.Passed);
        Assert.StartsWith($"{path}: ", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Directory_Fails()
    {
        using var probe = new FileProbe(_dir);
        Assert.False((await probe.RunAsync(CancellationToken.None)).Passed);
    }

    [Fact]
    public async Task RunAsync_FileRemovedLater_FailsThen()
    {
        var path = Path.Combine(_dir, "flag");
        await File.WriteAllTextAsync(path, "");
        using var probe = new FileProbe(path);
        Assert.True((await probe.RunAsync(CancellationToken.None)).Passed);

        File.Delete(path);

        Assert.False((await probe.RunAsync(CancellationToken.None)).Passed);
    }
}
