using System.Net.Sockets;
using System.Text;
using Vipd.Hosting;

namespace Vipd.Tests;

/// <summary>sd_notify messages observed on a NOTIFY_SOCKET the test listens on, as systemd would.</summary>
public sealed class SystemdNotifierTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"vipd-notify-{Guid.NewGuid():N}.sock");
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public SystemdNotifierTests() => _listener.Bind(new UnixDomainSocketEndPoint(_path));

    [Fact]
    public void Ready_Stopping_Watchdog_ArriveInOrder()
    {
        using var notifier = new SystemdNotifier(_path);
        notifier.Ready("serving 1 VIPs");
        notifier.Watchdog();
        notifier.Stopping("handing over");

        Assert.Equal("READY=1\nSTATUS=serving 1 VIPs", Receive());
        Assert.Equal("WATCHDOG=1", Receive());
        Assert.Equal("STOPPING=1\nSTATUS=handing over", Receive());
    }

    [Fact]
    public void Notifier_WithoutSocket_IsSilentNoOp()
    {
        using var notifier = new SystemdNotifier(null);
        Assert.False(notifier.IsActive);
        notifier.Ready("x");
    }

    [Theory]
    [InlineData("2000000", null, 100, 2000)]
    [InlineData("2000000", "100", 100, 2000)]
    [InlineData("2000000", "101", 100, null)]
    [InlineData(null, null, 100, null)]
    [InlineData("0", null, 100, null)]
    public void WatchdogInterval_FromEnvironment(string? usec, string? pid, int ownPid, int? expectedMs)
    {
        var interval = SystemdNotifier.WatchdogInterval(usec, pid, ownPid);
        Assert.Equal(expectedMs, interval is null ? null : (int)interval.Value.TotalMilliseconds);
    }

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(_path);
    }

    private string Receive()
    {
        var buffer = new byte[256];
        _listener.ReceiveTimeout = 2000;
        var count = _listener.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, count);
    }
}
