using System.Net;
using System.Net.Sockets;

namespace Vipd.Checks;

/// <summary>tcp: passes when a connection to the target is established (then closed at once).</summary>
internal sealed class TcpProbe(EndPoint target) : ICheckProbe
{
    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        using var socket = target is IPEndPoint ip
            ? new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            return ProbeResult.Pass($"connected to {target}");
        }
        catch (SocketException e)
        {
            return ProbeResult.Fail(DetailText.Bound($"connect to {target}: {e.SocketErrorCode}"));
        }
    }

    public void Dispose()
    {
    }
}
