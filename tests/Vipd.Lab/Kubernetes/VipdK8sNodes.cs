using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Vipd.Lab.Daemon;

namespace Vipd.Lab.Kubernetes;

/// <summary>
/// vipd-k8s on every lab node, as the hostNetwork DaemonSet runs it: one process per node inside the node's network
/// namespace, with a kubeconfig pointing at a <see cref="FakeKubeApiServer"/> that listens inside another lab
/// namespace (normally the client's), and the node's vipd API socket from <see cref="VipdCluster"/>. Every packet
/// (HTTP to the API server included) stays on the lab bridge. Configs live in a per-run folder under /tmp that
/// <see cref="DisposeAsync"/> removes; the processes are the lab's and die with it.
/// </summary>
public sealed class VipdK8sNodes : IAsyncDisposable
{
    /// <summary>The Lease of the allocator (<c>[lease] namespace/name</c>).</summary>
    public const string LeaseNamespace = "kube-system";

    /// <summary>The Lease's name.</summary>
    public const string LeaseName = "vipd-k8s";

    private readonly VipdCluster _cluster;
    private readonly string _binary;
    private readonly string _directory;
    private readonly VipdK8sOptions _options;
    private readonly Dictionary<string, LabProcess> _processes = [];

    private VipdK8sNodes(LabNetwork lab, VipdCluster cluster, string binary, LabHost apiHost, VipdK8sOptions options)
    {
        _cluster = cluster;
        _binary = binary;
        _options = options;
        _directory = Path.Combine(Path.GetTempPath(), $"{lab.Prefix}-k8s");
        Api = new FakeKubeApiServer(apiHost, options.ApiPort);
    }

    /// <summary>The fake Kubernetes API server (started; stop it for an API-server outage).</summary>
    public FakeKubeApiServer Api { get; }

    /// <summary>The folder holding the kubeconfig and the node configs.</summary>
    public string Directory => _directory;

    /// <summary>
    /// Starts the API server on <paramref name="apiHost"/>, waits (bounded) for every node's vipd API socket, writes
    /// the configs and starts vipd-k8s on every node.
    /// </summary>
    public static async Task<VipdK8sNodes> StartAsync(LabNetwork lab, VipdCluster cluster, string binary, LabHost apiHost, VipdK8sOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(apiHost);
        var nodes = new VipdK8sNodes(lab, cluster, binary, apiHost, options ?? new VipdK8sOptions());
        try
        {
            System.IO.Directory.CreateDirectory(nodes._directory);
            await nodes.Api.StartAsync().ConfigureAwait(false);
            await File.WriteAllTextAsync(nodes.KubeconfigPath, nodes.Kubeconfig(), cancellationToken).ConfigureAwait(false);
            foreach (var node in lab.Nodes)
            {
                await File.WriteAllTextAsync(nodes.ConfigPath(node), nodes.ConfigFor(node), cancellationToken).ConfigureAwait(false);
            }

            var start = Stopwatch.GetTimestamp();
            while (!lab.Nodes.All(n => File.Exists(cluster.SocketPath(n))))
            {
                if (Stopwatch.GetElapsedTime(start) > TimeSpan.FromSeconds(20))
                {
                    throw new TimeoutException($"the vipd API sockets did not appear within 20 s{Environment.NewLine}{cluster.Logs()}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
            }

            foreach (var node in lab.Nodes)
            {
                nodes.Start(node);
            }

            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The kubeconfig every vipd-k8s reads (server = the API host's lab address).</summary>
    public string KubeconfigPath => Path.Combine(_directory, "kubeconfig");

    /// <summary>The vipd-k8s config of a node.</summary>
    public string ConfigPath(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Path.Combine(_directory, $"{node.Name}.vipd-k8s.toml");
    }

    /// <summary>The running (or last) vipd-k8s process of a node.</summary>
    public LabProcess Process(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return _processes[node.Name];
    }

    /// <summary>Starts (or restarts) vipd-k8s inside a node's namespace.</summary>
    public LabProcess Start(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var process = node.Start(_binary, ["run", "--config", ConfigPath(node)]);
        _processes[node.Name] = process;
        return process;
    }

    /// <summary>The holder of the allocator Lease, or null.</summary>
    public string? LeaseHolder() =>
        Api.Get(FakeKubeApiServer.Leases, LeaseNamespace, LeaseName)?["spec"]?["holderIdentity"]?.GetValue<string>();

    /// <summary>The first <c>status.loadBalancer.ingress[].ip</c> of a Service, or null.</summary>
    public string? IngressIp(string ns, string name)
    {
        var ingress = Api.Get(FakeKubeApiServer.Services, ns, name)?["status"]?["loadBalancer"]?["ingress"] as JsonArray;
        return ingress is [{ } first, ..] ? first["ip"]?.GetValue<string>() : null;
    }

    /// <summary>
    /// How many VIPs a node's vipd-k8s put in its last ApplyVips call (from its log line "Applied N VIPs to vipd"),
    /// or null before its first.
    /// </summary>
    public int? LastAppliedCount(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!_processes.TryGetValue(node.Name, out var process))
        {
            return null;
        }

        const string Marker = "Applied ";
        var line = process.Output.LastOrDefault(l => l.Contains(Marker, StringComparison.Ordinal) && l.Contains(" VIPs to vipd", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }

        var from = line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length;
        var to = line.IndexOf(' ', from);
        return int.TryParse(line.AsSpan(from, to - from), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;
    }

    /// <summary>Polls <paramref name="condition"/> every 10 ms; throws with every log after <paramref name="timeout"/>.</summary>
    public async Task<TimeSpan> WaitAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var start = Stopwatch.GetTimestamp();
        for (var attempt = 0; attempt < 100_000; attempt++)
        {
            if (condition())
            {
                return Stopwatch.GetElapsedTime(start);
            }

            if (Stopwatch.GetElapsedTime(start) > timeout)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"not within {timeout.TotalSeconds:0.#} s: {what}{Environment.NewLine}{Logs()}");
    }

    /// <summary>Every vipd-k8s's and vipd's captured output, for failure messages.</summary>
    public string Logs()
    {
        var text = new StringBuilder();
        foreach (var (name, process) in _processes)
        {
            text.Append(CultureInfo.InvariantCulture, $"--- vipd-k8s {name} (pid {process.Pid})").AppendLine();
            foreach (var line in process.Output.TakeLast(40))
            {
                text.AppendLine(line);
            }
        }

        return text.Append(_cluster.Logs()).ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Values)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        await Api.DisposeAsync().ConfigureAwait(false);
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string Kubeconfig() => $"""
        # vipd-k8s lab kubeconfig (generated by Vipd.Lab.Kubernetes.VipdK8sNodes)
        apiVersion: v1
        kind: Config
        clusters:
        - name: lab
          cluster:
            server: {Api.BaseUri.ToString().TrimEnd('/')}
        contexts:
        - name: lab
          context:
            cluster: lab
            user: lab
        current-context: lab
        users:
        - name: lab
          user:
            token: not-a-secret
        """;

    private string ConfigFor(LabHost node)
    {
        var addresses = string.Join(", ", _options.PoolAddresses.Select(a => $"\"{a}\""));
        var duration = (long)_options.LeaseDuration.TotalMilliseconds;
        return string.Create(CultureInfo.InvariantCulture, $"""
            # vipd-k8s lab node {node.Name} (generated by Vipd.Lab.Kubernetes.VipdK8sNodes)
            [vipd]
            socket = "{_cluster.SocketPath(node)}"

            [node]
            name = "{node.Name}"
            interface = "{node.Interface}"

            [kubernetes]
            kubeconfig = "{KubeconfigPath}"
            debounce = "{_options.Debounce}"
            resync = "{_options.Resync}"

            [lease]
            namespace = "{LeaseNamespace}"
            name = "{LeaseName}"
            duration = "{duration}ms"
            renew_deadline = "{duration * 3 / 4}ms"
            retry_period = "200ms"

            [[pool]]
            name = "lab"
            addresses = [{addresses}]
            ipv4_prefix_length = {_options.Ipv4PrefixLength}
            """);
    }
}
