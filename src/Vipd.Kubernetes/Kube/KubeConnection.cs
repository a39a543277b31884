using k8s;

namespace Vipd.Kubernetes.Kube;

/// <summary>
/// An authenticated <see cref="HttpClient"/> to the API server. KubernetesClient.Aot reads the kubeconfig (or the
/// in-cluster service account) and builds the TLS and credential handlers; the requests themselves, the watch
/// streams included, are vipd-k8s's own (<see cref="KubeApi"/>), because the AOT client has no watch.
/// </summary>
internal sealed class KubeConnection : IDisposable
{
    private readonly k8s.Kubernetes? _client;

    private KubeConnection(HttpClient http, Uri baseUri, k8s.Kubernetes? client)
    {
        Http = http;
        // Relative paths resolve under the base, also when it has a path (a proxy's https://host/k8s/clusters/c1).
        BaseUri = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        _client = client;
    }

    /// <summary>Sends with the configured credentials; no overall timeout (watches are long), each call brings its own.</summary>
    public HttpClient Http { get; }

    /// <summary>The API server, e.g. https://192.0.2.1:6443/.</summary>
    public Uri BaseUri { get; }

    /// <summary>From a kubeconfig file, or in-cluster when <paramref name="kubeconfig"/> is null.</summary>
    public static KubeConnection Create(string? kubeconfig, string? context)
    {
        var configuration = kubeconfig is null
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, context);
        var client = new k8s.Kubernetes(configuration);
        var http = client.HttpClient;
        http.Timeout = Timeout.InfiniteTimeSpan;
        return new KubeConnection(http, client.BaseUri, client);
    }

    /// <summary>A plain HTTP connection (tests: the fake API server on 127.0.0.1).</summary>
    public static KubeConnection ForUri(Uri baseUri) =>
        new(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, baseUri, null);

    public void Dispose()
    {
        if (_client is null)
        {
            Http.Dispose();
        }

        _client?.Dispose();
    }
}
