namespace Vipctl.Tests;

/// <summary>Colour only when stdout is a terminal, NO_COLOR is unset and TERM is not dumb.</summary>
public sealed class ColorTests : IAsyncLifetime
{
    private const string Escape = "\u001b[";
    private FakeServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("vips")]
    [InlineData("members")]
    [InlineData("status")]
    [InlineData("explain web")]
    [InlineData("watch")]
    public async Task Table_Terminal_IsColouredAndOtherwiseEqual(string commandLine)
    {
        var plain = await RunAsync(commandLine, terminal: false, null);
        var colour = await RunAsync(commandLine, terminal: true, null);

        Assert.DoesNotContain(Escape, plain.Output, StringComparison.Ordinal);
        Assert.Contains(Escape, colour.Output, StringComparison.Ordinal);
        Assert.Equal(plain.Output, System.Text.RegularExpressions.Regex.Replace(colour.Output, "\u001b\\[[0-9;]*m", string.Empty));
    }

    [Theory]
    [InlineData("NO_COLOR", "1")]
    [InlineData("TERM", "dumb")]
    public async Task Table_TerminalWithVariable_IsPlain(string name, string value)
    {
        var run = await RunAsync("vips", terminal: true, new Dictionary<string, string> { [name] = value });

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(Escape, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_Terminal_IsNeverColoured()
    {
        var run = await RunAsync("vips -o json", terminal: true, null);

        Assert.DoesNotContain(Escape, run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Table_EmptyNoColor_StillColours()
    {
        // no-color.org: only a non-empty NO_COLOR disables colour.
        var run = await RunAsync("vips", terminal: true, new Dictionary<string, string> { ["NO_COLOR"] = string.Empty });

        Assert.Contains(Escape, run.Output, StringComparison.Ordinal);
    }

    private Task<CliRun> RunAsync(string commandLine, bool terminal, Dictionary<string, string>? variables) =>
        CliRun.RunAsync(variables, terminal, null, [.. commandLine.Split(' '), "--socket", _server.SocketPath]);
}
