using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Vipd.Metrics;

/// <summary>
/// A minimal HTTP/1.1 server for <c>GET /metrics</c> ([metrics] address): one request per connection, bounded reads
/// and time, no dependency on ASP.NET. Anything else gets 404; a slow or broken client is dropped.
/// </summary>
internal sealed partial class MetricsServer : IDisposable
{
    private const int MaxRequestBytes = 8192;
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener;
    private readonly Func<string> _render;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    private MetricsServer(TcpListener listener, Func<string> render, ILogger logger)
    {
        _listener = listener;
        _render = render;
        _logger = logger;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Binds and starts serving; throws <see cref="SocketException"/> when the address cannot be bound.</summary>
    public static MetricsServer Start(IPEndPoint endpoint, Func<string> render, ILogger logger)
    {
        var listener = new TcpListener(endpoint);
        listener.Start();
        var server = new MetricsServer(listener, render, logger);
        server._loop = Task.Run(server.AcceptLoopAsync);
        return server;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(ClientTimeout);
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[MaxRequestBytes];
            var length = 0;
            while (length < buffer.Length && !HasHeaderEnd(buffer.AsSpan(0, length)))
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                length += read;
            }

            var requestLine = Encoding.ASCII.GetString(buffer, 0, length).Split("\r\n", 2)[0];
            var parts = requestLine.Split(' ');
            var (status, body, type) = parts is ["GET", "/metrics" or "/metrics/", ..]
                ? ("200 OK", _render(), "text/plain; version=0.0.4; charset=utf-8")
                : ("404 Not Found", "only GET /metrics is served here\n", "text/plain; charset=utf-8");
            var payload = Encoding.UTF8.GetBytes(body);
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Type: {type}\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head, timeout.Token).ConfigureAwait(false);
            await stream.WriteAsync(payload, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            LogClientDropped(_logger, ex);
        }
    }

    private static bool HasHeaderEnd(ReadOnlySpan<byte> data) => data.IndexOf("\r\n\r\n"u8) >= 0;

    [LoggerMessage(EventId = 7000, Level = LogLevel.Debug, Message = "Metrics client dropped")]
    private static partial void LogClientDropped(ILogger logger, Exception exception);
}
