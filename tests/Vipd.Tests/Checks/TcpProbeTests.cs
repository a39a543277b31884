using System.Net;
using System.Net.Sockets;
using Vipd.Checks;

namespace Vipd.Tests.Checks;

/// <summary>tcp checks against a real listener on 127.0.0.1 (loopback only).</summary>
public sealed class TcpProbeTests
{
    [Fact]
    public async Task RunAsync_Listening_Passes()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var target = (IPEndPoint)listener.LocalEndpoint;
            using var probe = new TcpProbe(target);

            var result = await probe.RunAsync(CancellationToken.None);

            Assert.True(result.Passed, result.Detail);
            Assert.Equal($"connected to {target}", result.Detail);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task RunAsync_HostName_Passes()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            using var probe = new TcpProbe(new DnsEndPoint("localhost", port));

            var result = await probe.RunAsync(CancellationToken.None);

            Assert.True(result.Passed, result.Detail);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task RunAsync_ClosedPort_Fails()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var target = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();
        using var probe = new TcpProbe(target);

        var result = await probe.RunAsync(CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Equal($"connect to {target}: ConnectionRefused", result.Detail);
    }

    [Fact]
    public async Task RunAsync_Cancelled_Throws()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            using var probe = new TcpProbe(listener.LocalEndpoint);
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.RunAsync(cancelled.Token));
        }
        finally
        {
            listener.Stop();
        }
    }
}
