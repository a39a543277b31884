using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Vipd.Hosting;
using Vipd.Tests.Checks;
using Vipd.Transport;

namespace Vipd.Tests;

/// <summary>The gossip transport on loopback (gossip may use loopback outside the lab; nothing leaves the host).</summary>
public sealed class UdpTransportTests
{
    [Fact]
    public async Task Send_ToAnotherTransport_DeliversDatagramAndSender()
    {
        using var a = UdpTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        using var b = UdpTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        var received = new TaskCompletionSource<(byte[] Data, IPEndPoint From)>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Start((datagram, from) => received.TrySetResult((datagram.ToArray(), from)));

        a.Send([1, 2, 3], b.LocalEndPoint);

        var (data, sender) = await received.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal([1, 2, 3], data);
        Assert.Equal(a.LocalEndPoint, sender);
    }

    [Fact]
    public void Bind_PortInUse_ThrowsAddressAlreadyInUse()
    {
        using var a = UdpTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        var ex = Assert.Throws<SocketException>(() => UdpTransport.Bind(a.LocalEndPoint, NullLogger.Instance));
        Assert.Equal(SocketError.AddressAlreadyInUse, ex.SocketErrorCode);
    }

    [Fact]
    public async Task Receive_HandlerThrows_KeepsServing()
    {
        using var a = UdpTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        using var b = UdpTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        b.Start((datagram, _) =>
        {
            if (datagram[0] == 1)
            {
                throw new InvalidOperationException("boom");
            }

            second.TrySetResult();
        });

        a.Send([1], b.LocalEndPoint);
        a.Send([2], b.LocalEndPoint);

        await second.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Receive_NothingArrives_BeatsEveryIdleTimeout()
    {
        var time = new FakeTimeProvider();
        using var monitor = new LivenessMonitor(LivenessOptions.Default, time, NullLogger.Instance, () => { }, _ => { });
        var heartbeat = monitor.Register("gossip-receive");
        using var transport = UdpTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance, time);
        transport.Start((_, _) => { }, heartbeat);

        for (var i = 0; i < 3; i++)
        {
            // Each idle timeout cancels the receive; the loop beats and receives again (on the thread pool: wait for it).
            time.Advance(UdpTransport.IdleBeat);
            Assert.True(SpinWait.SpinUntil(() => heartbeat.Silence == TimeSpan.Zero, TimeSpan.FromSeconds(5)), $"no beat after idle timeout {i + 1}");
        }

        Assert.False(monitor.ExitRequested);
    }

    [Fact]
    public async Task Receive_SocketClosedUnderLoop_FailsHeartbeatAndRequestsExit()
    {
        var logger = new ListLogger();
        var exit = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var monitor = new LivenessMonitor(LivenessOptions.Default, TimeProvider.System, logger, () => { }, reason => exit.TrySetResult(reason));
        using var transport = UdpTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        transport.Start((_, _) => { }, monitor.Register("gossip-receive"));

        transport.Socket.Dispose();

        var reason = await exit.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Contains("gossip-receive", reason, StringComparison.Ordinal);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Error && e.Id.Id == 123);
    }

    [Fact]
    public void Dispose_RunningLoop_DoesNotRequestExit()
    {
        using var monitor = new LivenessMonitor(LivenessOptions.Default, TimeProvider.System, NullLogger.Instance, () => { }, _ => { });
        var transport = UdpTransport.Bind(new IPEndPoint(IPAddress.Loopback, 0), NullLogger.Instance);
        transport.Start((_, _) => { }, monitor.Register("gossip-receive"));

        transport.Dispose(); // waits for the loop to end

        Assert.False(monitor.ExitRequested);
    }
}
