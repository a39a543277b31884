using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
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
}
