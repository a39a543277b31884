using Grpc.Core;

namespace Vipd.Tests.Api;

/// <summary>Collects what a server stream writes; calls <see cref="OnWrite"/> after each message.</summary>
internal sealed class ListStreamWriter<T> : IServerStreamWriter<T>
{
    public List<T> Written { get; } = [];

    public Action<T>? OnWrite { get; init; }

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(T message, CancellationToken cancellationToken) => WriteAsync(message);

    public Task WriteAsync(T message)
    {
        Written.Add(message);
        OnWrite?.Invoke(message);
        return Task.CompletedTask;
    }
}
