using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Vipd.Lab;
using Vipd.Lab.Daemon;

namespace Vipd.Benchmarks;

/// <summary>
/// What an idle node costs its server: 3 real vipd processes in a namespace lab, one VIP, settled. Per node: RSS,
/// RssAnon and RssFile (/proc/PID/status), threads, the managed heap (vipd_gc_heap_bytes from the node's /metrics), and
/// the bytes it puts on the wire per second over 10 s, counting every frame it sends (captured on its eth0) as a
/// switch port counts octets: padded to Ethernet's 64-byte minimum, FCS included (the target's measure); the line
/// figure adds preamble and inter-frame gap (20 per frame). The daemons get the unit's Environment= lines (systemd/vipd.service), as under systemd. `--runs` samples (1 s apart) of the process figures per node. DOTNET_* variables set for the benchmark reach
/// the daemons (they inherit its environment), so GC settings can be compared without rebuilding.
/// </summary>
internal static class FootprintBenchmark
{
    private const int MetricsPort = 9477;
    private const double MiB = 1024 * 1024;
    private const double RssTargetMiB = 20;
    private const double WireTargetBytesPerSecond = 2048;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        if (!await LabBenchmark.RequireRootAsync("footprint").ConfigureAwait(false))
        {
            return 2;
        }

        var profile = Environment.GetEnvironmentVariable("VIPD_PROFILE") ?? "default";
        var table = new BenchmarkTable($"footprint of idle nodes (profile {profile})", options.Runs, "per node");
        table.Fact("method", "3 vipd nodes in netns, one VIP, settled + 5 s; /proc/PID/status; heap = vipd_gc_heap_bytes; wire = every frame sent on eth0 over 10 s (tcpdump), padded to 64 with FCS; line adds preamble + gap");
        table.Fact("vipd", VipdBinary.Find());
        foreach (var (key, value) in UnitEnvironment())
        {
            // As systemd would run it: the daemons inherit this process's environment. A value set by the caller wins.
            if (Environment.GetEnvironmentVariable(key) is null)
            {
                Environment.SetEnvironmentVariable(key, value);
            }
        }

        var gcEnvironment = Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}").ToArray();
        table.Fact("DOTNET_ environment", gcEnvironment.Length == 0 ? "(none)" : string.Join(" ", gcEnvironment));
        table.Fact("keepalived", "not run: the lab library cannot start keepalived yet");
        var rss = table.Get("RSS (MiB)", RssTargetMiB);
        var anon = table.Get("RssAnon (MiB)");
        var file = table.Get("RssFile (MiB)");
        var heap = table.Get("managed heap, vipd_gc_heap_bytes (MiB)");
        var committed = table.Get("GC committed, vipd_gc_committed_bytes (MiB)");
        var threads = table.Get("threads");
        var wire = table.Get("frame bytes/s sent (all frames, padding + FCS)", WireTargetBytesPerSecond);
        var line = table.Get("line bytes/s (frames + preamble + gap)");
        var l2 = table.Get("bytes/s sent as the kernel counts them");
        var frames = table.Get("frames/s sent");

        await using var lab = await LabNetwork.CreateAsync(3).ConfigureAwait(false);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), new VipdClusterOptions { Profile = profile, LogLevel = "warning", MetricsPort = MetricsPort, ClusterExtra = Environment.GetEnvironmentVariable("VIPD_CLUSTER_EXTRA") ?? "" }).ConfigureAwait(false);
        await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle).ConfigureAwait(false);
        await Task.Delay(Idle).ConfigureAwait(false);

        var pids = lab.Nodes.ToDictionary(n => n.Name, n => DaemonPid(cluster.ConfigPath(n)));
        for (var run = 0; run < options.Runs; run++)
        {
            foreach (var node in lab.Nodes)
            {
                var status = ReadStatus(pids[node.Name]);
                var metrics = Scrape(node);
                rss.Add(status["VmRSS"] / 1024.0);
                anon.Add(status["RssAnon"] / 1024.0);
                file.Add(status["RssFile"] / 1024.0);
                threads.Add(status["Threads"]);
                heap.Add(metrics.GetValueOrDefault("vipd_gc_heap_bytes", double.NaN) / MiB);
                committed.Add(metrics.GetValueOrDefault("vipd_gc_committed_bytes", double.NaN) / MiB);
                if (run == 0)
                {
                    table.Fact($"{node.Name} smaps_rollup", SmapsRollup(pids[node.Name]));
                    if (node == lab.Nodes[0])
                    {
                        table.Fact($"{node.Name} largest mappings (Rss kB)", LargestMappings(pids[node.Name], 10));
                    }
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        var captures = new List<(LabHost Node, Capture Capture)>();
        foreach (var node in lab.Nodes)
        {
            captures.Add((node, await Capture.StartAsync(node, $"ether src {node.Mac.ToString().ToLowerInvariant()}").ConfigureAwait(false)));
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(Window).ConfigureAwait(false);
        foreach (var (node, capture) in captures)
        {
            var pcap = await capture.StopAsync().ConfigureAwait(false);
            var seconds = started.Elapsed.TotalSeconds;
            var summary = PcapSummary.Read(pcap);
            wire.Add(summary.FrameBytes / seconds);
            line.Add(summary.LineBytes / seconds);
            l2.Add(summary.Bytes / seconds);
            frames.Add(summary.Frames / seconds);
            table.Fact($"{node.Name} gossip frame sizes (L2 bytes x per s)", string.Join(", ", summary.GossipSizes.OrderByDescending(p => p.Value).Take(8)
                .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} x {p.Value / seconds:0.0}"))));
            table.Fact($"{node.Name} frame bytes/s by kind", string.Join(", ", summary.ByKind.OrderByDescending(k => k.Value.FrameBytes)
                .Select(k => string.Create(CultureInfo.InvariantCulture, $"{k.Key} {k.Value.FrameBytes / seconds:0} ({k.Value.Frames / seconds:0.0} frames/s)"))));
        }

        table.Fact("per node RSS MiB", string.Join(", ", lab.Nodes.Select((n, i) => string.Create(CultureInfo.InvariantCulture, $"{n.Name}={rss.Samples[i]:0.0}"))));
        await BenchmarkTable.EmitAsync([table], options.JsonPath).ConfigureAwait(false);

        return 0;
    }

    /// <summary>The <c>Environment=KEY=VALUE</c> lines of systemd/vipd.service (found above the benchmark's folder).</summary>
    internal static List<(string Key, string Value)> UnitEnvironment()
    {
        for (var up = new DirectoryInfo(AppContext.BaseDirectory); up is not null; up = up.Parent)
        {
            var unit = Path.Combine(up.FullName, "systemd", "vipd.service");
            if (File.Exists(unit))
            {
                return File.ReadLines(unit).Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
                    .Select(l => l["Environment=".Length..].Split('=', 2)).Where(p => p.Length == 2).Select(p => (p[0], p[1])).ToList();
            }
        }

        return [];
    }

    /// <summary>
    /// The vipd process running with <paramref name="configPath"/>: the lab's PID is that of the launcher (setsid, ip
    /// netns exec), which may have forked.
    /// </summary>
    private static int DaemonPid(string configPath)
    {
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    var arguments = File.ReadAllText(Path.Combine(directory, "cmdline")).Split('\0');
                    if (arguments.Length > 1 && Path.GetFileName(arguments[0]) == "vipd" && arguments.Contains(configPath))
                    {
                        return pid;
                    }
                }
                catch (IOException)
                {
                }
            }
        }

        throw new InvalidOperationException($"no vipd process runs with {configPath}");
    }

    /// <summary>The kB figures (and Threads) of /proc/PID/status.</summary>
    private static Dictionary<string, double> ReadStatus(int pid)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var words = line[(colon + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (colon > 0 && words.Length >= 1 && double.TryParse(words[0], CultureInfo.InvariantCulture, out var value))
            {
                values[line[..colon]] = value;
            }
        }

        return values;
    }

    /// <summary>The <paramref name="count"/> mappings with the most resident memory: Rss kB, then the file or "[anon]".</summary>
    private static string LargestMappings(int pid, int count)
    {
        var mappings = new List<(string Name, long Rss)>();
        string? current = null;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 5 && words[0].Contains('-', StringComparison.Ordinal) && !words[0].EndsWith(':'))
            {
                current = words.Length >= 6 ? $"{words[5]} {words[1]}" : $"[anon] {words[1]} {words[0]}";
            }
            else if (current is not null && words.Length >= 2 && words[0] == "Rss:")
            {
                mappings.Add((current, long.Parse(words[1], CultureInfo.InvariantCulture)));
            }
        }

        return string.Join("; ", mappings.OrderByDescending(m => m.Rss).Take(count).Select(m => $"{m.Rss} {m.Name}"));
    }

    private static string SmapsRollup(int pid) => string.Join(", ", File.ReadLines($"/proc/{pid}/smaps_rollup").Skip(1)
        .Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0] is "Rss" or "Pss" or "Pss_Anon" or "Pss_File" or "Private_Dirty" or "Shared_Clean")
        .Select(p => $"{p[0]} {p[1].Trim()}"));

    /// <summary>GET /metrics from the node's own namespace (a blocking socket opened in it), parsed to name → value.</summary>
    private static Dictionary<string, double> Scrape(LabHost node) => node.Run(() =>
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5000, SendTimeout = 5000 };
        socket.Connect(node.IPv4, MetricsPort);
        socket.Send(Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: vipd\r\nConnection: close\r\n\r\n"));
        var body = new MemoryStream();
        var buffer = new byte[16384];
        for (var i = 0; i < 1000; i++)
        {
            var n = socket.Receive(buffer);
            if (n == 0)
            {
                break;
            }

            body.Write(buffer, 0, n);
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in Encoding.UTF8.GetString(body.ToArray()).Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && !line.StartsWith('#') && double.TryParse(parts[1], CultureInfo.InvariantCulture, out var value))
            {
                values[parts[0]] = value;
            }
        }

        return values;
    });
}
