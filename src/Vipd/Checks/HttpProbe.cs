namespace Vipd.Checks;

/// <summary>http/https: GETs the URL (no redirects, no proxy); passes when the status is the expected one.</summary>
internal sealed class HttpProbe : ICheckProbe
{
    private readonly Uri _url;
    private readonly int _expectStatus;
    private readonly HttpClient _client;

    public HttpProbe(Uri url, int expectStatus, bool insecureSkipVerify, TimeSpan timeout)
    {
        _url = url;
        _expectStatus = expectStatus;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (insecureSkipVerify)
        {
            // insecure_skip_verify is an explicit opt-in for self-signed local endpoints (vipd.toml(5)).
#pragma warning disable CA5359
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        _client = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _url);
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var detail = $"HTTP {status}";
            return status == _expectStatus ? ProbeResult.Pass(detail) : ProbeResult.Fail($"{detail}, expected {_expectStatus}");
        }
        catch (HttpRequestException e)
        {
            return ProbeResult.Fail(DetailText.Bound($"GET {_url}: {e.Message}"));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // The handler's ConnectTimeout (a loaded host, a dropped SYN): a failed probe like a refused one, not a throw.
            return ProbeResult.Fail(DetailText.Bound($"GET {_url}: {e.Message}"));
        }
    }

    public void Dispose() => _client.Dispose();
}
