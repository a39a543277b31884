using System.Net.Sockets;
using Grpc.Net.Client;
using Vipd.Api.V1;
using Vipd.Lab.Daemon;

namespace Vipd.Lab.Tests.Api;

/// <summary>gRPC clients of a lab node's API socket (the generated C# client; the Python test checks the contract independently).</summary>
internal sealed class ApiClient : IDisposable
{
    private readonly GrpcChannel _channel;

    private ApiClient(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _channel = GrpcChannel.ForAddress("http://vipd", new GrpcChannelOptions { HttpHandler = handler });
        Service = new VipdService.VipdServiceClient(_channel);
    }

    public VipdService.VipdServiceClient Service { get; }

    /// <summary>The channel's call invoker, for calls with raw request bytes.</summary>
    public Grpc.Core.CallInvoker Invoker => _channel.CreateCallInvoker();

    public static ApiClient For(VipdCluster cluster, LabHost node) => new(cluster.SocketPath(node));

    /// <summary>Waits (bounded) until the node's API answers GetStatus.</summary>
    public static async Task<ApiClient> ConnectAsync(VipdCluster cluster, LabHost node, TimeSpan timeout)
    {
        var client = For(cluster, node);
        var started = DateTime.UtcNow;
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            try
            {
                await client.Service.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return client;
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow - started < timeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
        }

        throw new TimeoutException($"{node.Name}'s API did not answer within {timeout}");
    }

    public void Dispose() => _channel.Dispose();
}
