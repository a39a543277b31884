using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Vipd.Lab.Daemon;

/// <summary>
/// Real <c>vipd</c> processes, one per lab node, sharing a fresh cluster key: the one place the demo, the lab
/// tests and the failover benchmark start a cluster. Configs and keys live in a per-run folder under /tmp that
/// <see cref="DisposeAsync"/> removes; the processes are the lab's and die with it.
/// </summary>
public sealed class VipdCluster : IAsyncDisposable
{
    private readonly LabNetwork _lab;
    private readonly string _vipdPath;
    private readonly string _directory;
    private readonly VipdClusterOptions _options;
    private readonly Dictionary<string, LabProcess> _processes = [];

    private VipdCluster(LabNetwork lab, string vipdPath, string directory, VipdClusterOptions options)
    {
        _lab = lab;
        _vipdPath = vipdPath;
        _directory = directory;
        _options = options;
    }

    /// <summary>The folder holding the key and the node configs.</summary>
    public string Directory => _directory;

    /// <summary>Writes the key and configs and starts vipd on every node (it does not wait for an owner).</summary>
    public static async Task<VipdCluster> StartAsync(LabNetwork lab, string vipdPath, VipdClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lab);
        var directory = Path.Combine(Path.GetTempPath(), $"{lab.Prefix}-vipd");
        System.IO.Directory.CreateDirectory(directory);
        var cluster = new VipdCluster(lab, vipdPath, directory, options ?? new VipdClusterOptions());
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await File.WriteAllTextAsync(Path.Combine(directory, "cluster.key"), key + "\n", cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            // vipd refuses a key file others can read.
            File.SetUnixFileMode(Path.Combine(directory, "cluster.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        foreach (var node in lab.Nodes)
        {
            await File.WriteAllTextAsync(cluster.ConfigPath(node), cluster.ConfigFor(node), cancellationToken).ConfigureAwait(false);
        }

        foreach (var node in lab.Nodes)
        {
            cluster.Start(node);
        }

        return cluster;
    }

    /// <summary>The config file of a node.</summary>
    public string ConfigPath(LabHost node) => Path.Combine(_directory, $"{node.Name}.toml");

    /// <summary>The API socket of a node (a file in <see cref="Directory"/>: reachable from any namespace).</summary>
    public string SocketPath(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Path.Combine(_directory, node.Name + ".sock");
    }

    /// <summary>The state folder of a node (<c>[node] state_dir</c>): dynamic VIPs persist there across restarts.</summary>
    public string StateDirectory(LabHost node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Path.Combine(_directory, node.Name + ".state");
    }

    /// <summary>The running (or last) vipd process of a node.</summary>
    public LabProcess Process(LabHost node) => _processes[node.Name];

    /// <summary>Starts (or restarts) vipd on a node.</summary>
    public LabProcess Start(LabHost node) => Start(node, _vipdPath);

    /// <summary>
    /// Starts (or restarts) a node with another vipd executable than the cluster's, on the same config: a mixed-version
    /// cluster for a rolling upgrade (the upgrade benchmark starts 0.1.0 and replaces it node by node).
    /// </summary>
    public LabProcess Start(LabHost node, string vipdPath)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(vipdPath);
        var process = node.Start(vipdPath, ["run", "--config", ConfigPath(node)]);
        _processes[node.Name] = process;
        return process;
    }

    /// <summary>
    /// The nodes whose eth0 is up and holds <paramref name="vip"/> right now (several while ownership is split). A
    /// crashed node's address stays in its namespace, but with its link down it answers nobody, so it is not counted.
    /// </summary>
    public async Task<IReadOnlyList<LabHost>> HoldersAsync(IPAddress vip, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(vip);
        var holders = new List<LabHost>();
        foreach (var node in _lab.Nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await node.ExecAsync("ip", "-j", "addr", "show", "dev", node.Interface).ConfigureAwait(false);
            if (result.ExitCode == 0 && LiveAddresses(result.StdOut).Contains(vip))
            {
                holders.Add(node);
            }
        }

        return holders;
    }

    /// <summary>
    /// Every configured VIP (<see cref="VipdClusterOptions.Vips"/>) with the nodes among <paramref name="nodes"/>
    /// (default: all) whose eth0 is up and holds it right now: an empty list for an unbound VIP, several while
    /// ownership is split. One <c>ip -j addr</c> per node, however many VIPs; as in <see cref="HoldersAsync"/>, a node
    /// with its link down counts as holding nothing.
    /// </summary>
    public async Task<IReadOnlyDictionary<IPAddress, IReadOnlyList<LabHost>>> HoldersByVipAsync(IEnumerable<LabHost>? nodes = null, CancellationToken cancellationToken = default)
    {
        var holders = _options.Vips.Select(v => v.Address).Distinct().ToDictionary(a => a, _ => new List<LabHost>());
        foreach (var node in nodes ?? _lab.Nodes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await node.ExecAsync("ip", "-j", "addr", "show", "dev", node.Interface).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                continue;
            }

            foreach (var address in LiveAddresses(result.StdOut))
            {
                if (holders.TryGetValue(address, out var list))
                {
                    list.Add(node);
                }
            }
        }

        return holders.ToDictionary(p => p.Key, p => (IReadOnlyList<LabHost>)p.Value);
    }

    /// <summary>Waits until exactly one node holds <paramref name="vip"/> and it satisfies <paramref name="accept"/>.</summary>
    public async Task<LabHost> WaitForSingleHolderAsync(IPAddress vip, TimeSpan timeout, Func<LabHost, bool>? accept = null, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        IReadOnlyList<LabHost> last = [];
        for (var attempt = 0; attempt < 10_000; attempt++)
        {
            try
            {
                last = await HoldersAsync(vip, deadline.Token).ConfigureAwait(false);
                if (last.Count == 1 && (accept is null || accept(last[0])))
                {
                    return last[0];
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        var holders = last.Count == 0 ? "nobody" : string.Join(", ", last.Select(h => h.Name));
        throw new TimeoutException($"no single accepted holder of {vip} within {timeout.TotalSeconds:0.#} s (holders: {holders}){Environment.NewLine}{Logs()}");
    }

    /// <summary>Sends SIGTERM (a planned stop: vipd hands over first) and waits for the process to end.</summary>
    public async Task StopAsync(LabHost node, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(node);
        var process = Process(node);
        process.Kill(15);
        await process.WaitForExitAsync(timeout).ConfigureAwait(false);
    }

    /// <summary>Every node's captured output, for failure messages.</summary>
    public string Logs()
    {
        var text = new StringBuilder();
        foreach (var (name, process) in _processes)
        {
            text.Append(CultureInfo.InvariantCulture, $"--- {name} (pid {process.Pid})").AppendLine();
            foreach (var line in process.Output.TakeLast(60))
            {
                text.AppendLine(line);
            }
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes.Values)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The addresses on the links of <c>ip -j addr</c> output that are not down.</summary>
    private static HashSet<IPAddress> LiveAddresses(string ipJson)
    {
        var live = new HashSet<IPAddress>();
        using var document = JsonDocument.Parse(ipJson);
        foreach (var link in document.RootElement.EnumerateArray())
        {
            if (link.TryGetProperty("operstate", out var state) && state.GetString() is "DOWN" or "LOWERLAYERDOWN")
            {
                continue;
            }

            if (!link.TryGetProperty("addr_info", out var addresses))
            {
                continue;
            }

            foreach (var address in addresses.EnumerateArray())
            {
                if (address.TryGetProperty("local", out var local) && IPAddress.TryParse(local.GetString(), out var parsed))
                {
                    live.Add(parsed);
                }
            }
        }

        return live;
    }

    private string ConfigFor(LabHost node)
    {
        var peers = string.Join(", ", _lab.Nodes.Where(n => n != node).Select(n => $"\"{n.IPv4}\""));
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"""
            # vipd lab node {node.Name} (generated by Vipd.Lab.Daemon.VipdCluster)
            [node]
            name = "{node.Name}"
            address = "{node.IPv4}"
            port = 7450
            state_dir = "{StateDirectory(node)}"

            [cluster]
            peers = [{peers}]
            key_file = "{Path.Combine(_directory, "cluster.key")}"
            profile = "{_options.Profile}"
            {_options.ClusterExtra}

            [api]
            socket = "{SocketPath(node)}"
            {_options.ApiExtra}
            {_options.ApiFor?.Invoke(node)}

            [logging]
            level = "{_options.LogLevel}"
            """);
        if (_options.MetricsPort is { } metricsPort)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"\n[metrics]\naddress = \"{node.IPv4}:{metricsPort}\"");
        }

        foreach (var (name, address, prefix) in _options.Vips)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"""

                [[vip]]
                name = "{name}"
                address = "{address}/{prefix}"
                interface = "{_options.VipInterface ?? node.Interface}"
                {_options.VipExtra}
                """);
        }

        if (_options.NodeExtra is { } extra)
        {
            text.AppendLine().AppendLine(extra(node));
        }

        return text.ToString();
    }
}
