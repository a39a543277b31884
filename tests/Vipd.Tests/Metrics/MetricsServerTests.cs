using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Metrics;

namespace Vipd.Tests.Metrics;

/// <summary>The /metrics endpoint on loopback (nothing leaves the host).</summary>
public sealed class MetricsServerTests
{
    [Fact]
    public async Task Get_Metrics_Returns200WithTheRenderedText()
    {
        using var server = MetricsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), () => "vipd_up 1\n", NullLogger.Instance);
        var response = await RequestAsync(server.LocalEndPoint, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.Contains("Content-Type: text/plain; version=0.0.4", response, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nvipd_up 1\n", response, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    [InlineData("POST /metrics HTTP/1.1\r\n\r\n")]
    public async Task Get_OtherPathOrMethod_Returns404(string request)
    {
        using var server = MetricsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), () => "x 1\n", NullLogger.Instance);
        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", await RequestAsync(server.LocalEndPoint, request), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_GarbageThenClose_ServerKeepsServing()
    {
        using var server = MetricsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), () => "x 1\n", NullLogger.Instance);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(server.LocalEndPoint);
            await client.GetStream().WriteAsync(new byte[100]);
        }

        Assert.StartsWith("HTTP/1.1 200 OK", await RequestAsync(server.LocalEndPoint, "GET /metrics HTTP/1.0\r\n\r\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_Observations_CumulativeBucketsSumAndCount()
    {
        var histogram = new LatencyHistogram([0.01, 0.1]);
        histogram.Observe(TimeSpan.FromMilliseconds(5));
        histogram.Observe(TimeSpan.FromMilliseconds(50));
        histogram.Observe(TimeSpan.FromSeconds(1));
        var text = new PrometheusText();
        histogram.WriteTo(text, "t");
        Assert.Equal(
            "t_bucket{le=\"0.01\"} 1\nt_bucket{le=\"0.1\"} 2\nt_bucket{le=\"+Inf\"} 3\nt_sum 1.055\nt_count 3\n",
            text.ToString());
    }

    [Fact]
    public void Sample_LabelWithQuote_Escaped()
    {
        var text = new PrometheusText().Sample("m", 2, ("check", "a\"b\\c")).ToString();
        Assert.Equal("m{check=\"a\\\"b\\\\c\"} 2\n", text);
    }

    private static async Task<string> RequestAsync(IPEndPoint endpoint, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(5));
    }
}
