namespace Vipd.Checks;

/// <summary>interface: passes while the callback says the interface is up (netlink: up with carrier).</summary>
internal sealed class InterfaceProbe(string name, Func<string, bool>? isUp) : ICheckProbe
{
    public Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        if (isUp is null)
        {
            return Task.FromResult(ProbeResult.Fail("no interface state available"));
        }

        return Task.FromResult(isUp(name) ? ProbeResult.Pass($"{name} is up") : ProbeResult.Fail($"{name} is down or missing"));
    }

    public void Dispose()
    {
    }
}
