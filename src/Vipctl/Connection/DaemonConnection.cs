using System.Net.Sockets;
using Grpc.Net.Client;
using Vipd.Api.V1;

namespace Vipctl.Connection;

/// <summary>
/// A gRPC channel to vipd over its Unix socket: HTTP/2 without TLS, one connection made by
/// <see cref="SocketsHttpHandler.ConnectCallback"/> to a <see cref="UnixDomainSocketEndPoint"/>.
/// </summary>
internal sealed class DaemonConnection : IDisposable
{
    private readonly GrpcChannel _channel;

    private DaemonConnection(string socketPath)
    {
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = (_, cancellationToken) => ConnectAsync(socketPath, cancellationToken),
        };
        _channel = GrpcChannel.ForAddress("http://vipd", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        Client = new VipdService.VipdServiceClient(_channel);
    }

    public string SocketPath { get; }

    public VipdService.VipdServiceClient Client { get; }

    public static DaemonConnection Open(string socketPath) => new(socketPath);

    public void Dispose() => _channel.Dispose();

    private static async ValueTask<Stream> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new DaemonUnreachableException(path, ex);
        }
    }
}
