using Vipd.Checks;

namespace Vipd.Tests.Checks;

public sealed class InterfaceProbeTests
{
    [Fact]
    public async Task RunAsync_Up_Passes()
    {
        string? asked = null;
        using var probe = new InterfaceProbe("eth1", name =>
        {
            asked = name;
            return true;
        });

        Assert.Equal(ProbeResult.Pass("eth1 is up"), await probe.RunAsync(CancellationToken.None));
        Assert.Equal("eth1", asked);
    }

    [Fact]
    public async Task RunAsync_Down_Fails()
    {
        using var probe = new InterfaceProbe("eth1", _ => false);
        Assert.Equal(ProbeResult.Fail("eth1 is down or missing"), await probe.RunAsync(CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_NoCallback_Fails()
    {
        using var probe = new InterfaceProbe("eth1", null);
        Assert.False((await probe.RunAsync(CancellationToken.None)).Passed);
    }
}
