using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace Vipd.Api;

/// <summary>
/// Accepts on a socket that was listening before Kestrel started: first the connection accepted while Kestrel was
/// not yet running, then the backlog. Unbinding closes the socket, which removes its file.
/// </summary>
internal sealed class PreboundListener(EndPoint endPoint, Socket listening, Socket? first, SocketConnectionContextFactory contexts) : IConnectionListener
{
    /// <summary>Connections reset while queued are skipped; this many in a row means the socket is broken (Kestrel stops accepting).</summary>
    private const int MaxSkippedInARow = 1024;

    private Socket? _first = first;

    public EndPoint EndPoint => endPoint;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _first, null) is { } pending)
        {
            return contexts.Create(pending);
        }

        for (var skipped = 0; skipped < MaxSkippedInARow; skipped++)
        {
            try
            {
                var accepted = await listening.AcceptAsync(cancellationToken).ConfigureAwait(false);
                return contexts.Create(accepted);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException
                || ex is SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                return null; // unbound: Kestrel is stopping
            }
            catch (SocketException)
            {
                // Reset while it waited in the backlog: take the next one.
            }
        }

        return null;
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        listening.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        listening.Dispose();
        Interlocked.Exchange(ref _first, null)?.Dispose();
        contexts.Dispose();
        return ValueTask.CompletedTask;
    }
}
