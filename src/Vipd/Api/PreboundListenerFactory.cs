using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Vipd.Api;

/// <summary>
/// Kestrel's transport for <see cref="ApiSocketEndPoint"/>: hands Kestrel the listening socket bound before Kestrel
/// existed, and the connection that made the API start (accepted already), through Kestrel's own socket connections
/// (<see cref="SocketConnectionContextFactory"/>: the same pipes, and the <c>IConnectionSocketFeature</c> that
/// <see cref="PeerCredentials"/> reads).
/// </summary>
internal sealed class PreboundListenerFactory(ApiSocketEndPoint endPoint, Socket listening, Socket? first, ILoggerFactory loggers)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private int _bound;

    public bool CanBind(EndPoint endpoint) => ReferenceEquals(endpoint, endPoint);

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (!CanBind(endpoint) || Interlocked.Exchange(ref _bound, 1) != 0)
        {
            throw new InvalidOperationException($"{endpoint} is not this factory's socket, or is bound already");
        }

        // One I/O queue: the API serves a few local callers, not a web load.
        var contexts = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions { IOQueueCount = 1 },
            loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets"));
        return ValueTask.FromResult<IConnectionListener>(new PreboundListener(endPoint, listening, first, contexts));
    }
}
