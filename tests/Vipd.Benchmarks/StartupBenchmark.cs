using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Vipd.Lab;
using Vipd.Lab.Daemon;

namespace Vipd.Benchmarks;

/// <summary>
/// Start-up as systemd sees it: 3 vipd nodes in a namespace lab, settled; one node is stopped (SIGTERM) and started
/// again with <c>NOTIFY_SOCKET</c> pointing at a datagram socket this benchmark listens on, peers up. Measures exec →
/// READY=1 received, and splits it with the restarted node's JSON log timestamps: exec → NodeService.StartAsync (the
/// ready line's ElapsedMs counted back from its timestamp), StartAsync → "API listening", API → ready (join answered by
/// a seed + first election + applying it), ready → READY=1 at the listener. The restarted node is launched with
/// <c>setsid nsenter --net=/run/netns/NS</c> (<see cref="LabLauncher.Nsenter"/>: vipd reads nothing that needs
/// <c>ip netns exec</c>'s /sys remount; systemd launches it with no launcher at all). Also: the launcher alone (of
/// /bin/true), `vipd --version` under it (process start, runtime, Main and exit), and the first and second gRPC call
/// after READY (a health check over the Unix socket; the first one starts the lazy API). The nodes get the unit's
/// Environment= lines (systemd/vipd.service) unless the caller set them. `--runs` starts (default 20).
/// </summary>
internal static class StartupBenchmark
{
    private const double ReadyTargetMs = 50;
    private const LabLauncher Launcher = LabLauncher.Nsenter;
    private const string TraceLinePrefix = "vipd-startup-trace ";
    private const string GcLinePrefix = "vipd-startup-gc ";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        if (!await LabBenchmark.RequireRootAsync("startup").ConfigureAwait(false))
        {
            return 2;
        }

        var profile = Environment.GetEnvironmentVariable("VIPD_PROFILE") ?? "default";
        var starts = options.Runs == 5 ? 20 : options.Runs; // >= 10 starts for a p99 worth reading; 5 is the shared default
        var vipd = VipdBinary.Find();
        var table = new BenchmarkTable($"start-up with peers up (profile {profile})", starts);
        table.Fact("method", "3 vipd nodes in netns, settled; n3 SIGTERMed, then started again with NOTIFY_SOCKET; exec = just before the launcher (setsid + nsenter --net=/run/netns/NS) is spawned; phases from n3's JSON log timestamps");
        table.Fact("vipd", vipd);
        foreach (var (key, value) in FootprintBenchmark.UnitEnvironment())
        {
            // As systemd would run it (the unit's Environment= lines, DOTNET_GCgen0size: one more gen0 collection before
            // READY); a value set by the caller wins.
            if (Environment.GetEnvironmentVariable(key) is null)
            {
                Environment.SetEnvironmentVariable(key, value);
            }
        }

        var dotnetEnvironment = Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}").ToArray();
        table.Fact("DOTNET_ environment (the nodes inherit it)", dotnetEnvironment.Length == 0 ? "(none)" : string.Join(" ", dotnetEnvironment));
        var ready = table.Get("exec -> READY=1 received", ReadyTargetMs);
        var toStart = table.Get("  exec -> NodeService.StartAsync (launcher, runtime, Main, config, host build)");
        var toApi = table.Get("  StartAsync -> API listening (node built, API socket bound)");
        var toReady = table.Get("  API listening -> ready (join answered, first election, applied)");
        var toNotify = table.Get("  ready logged -> READY=1 received");
        var launcher = table.Get("launcher alone: nsenter --net=/run/netns/NS /bin/true");
        var ipNetns = table.Get("for comparison, the lab's default launcher alone: ip netns exec NS /bin/true");
        var version = table.Get("vipd --version under the launcher (process start, runtime, Main, exit)");
        var firstCall = table.Get("first gRPC call after READY (health check; starts the lazy API)");
        var secondCall = table.Get("second gRPC call (new connection, API running)");
        var socketLeft = 0;

        await using var lab = await LabNetwork.CreateAsync(3).ConfigureAwait(false);
        await using var cluster = await VipdCluster.StartAsync(lab, vipd, new VipdClusterOptions { Profile = profile, LogLevel = "information" }).ConfigureAwait(false);
        await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle).ConfigureAwait(false);
        var node = lab.Nodes[^1];
        var config = cluster.ConfigPath(node);
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(config).ConfigureAwait(false))
            .Replace("[logging]\n", "[logging]\nformat = \"json\"\n", StringComparison.Ordinal)).ConfigureAwait(false);

        var notifyPath = Path.Combine(cluster.Directory, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["NOTIFY_SOCKET"] = notifyPath };
        var trace = Environment.GetEnvironmentVariable("VIPD_STARTUP_TRACE") == "1";
        if (trace)
        {
            environment["VIPD_STARTUP_TRACE"] = "1";
            table.Fact("start-up trace", "VIPD_STARTUP_TRACE=1: rows 'trace A -> B' are the time between consecutive marks of vipd's StartupTrace (monotonic clock, exec = the benchmark's own timestamp)");
        }


        LabProcess? running = null;
        try
        {
            for (var start = -options.Warmup; start < starts; start++)
            {
                // Stop the node (the lab's first process, then ours) and let the peers see it leave.
                if (running is null)
                {
                    await cluster.StopAsync(node, Timeout).ConfigureAwait(false);
                }
                else
                {
                    running.Kill(LabProcess.SigTerm);
                    await running.WaitForExitAsync(Timeout).ConfigureAwait(false);
                    await running.DisposeAsync().ConfigureAwait(false);
                    running = null;
                }

                socketLeft += File.Exists(cluster.SocketPath(node)) ? 1 : 0;
                await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
                Drain(notify);

                var execAt = DateTimeOffset.UtcNow;
                var exec = Stopwatch.GetTimestamp();
                running = node.Start(vipd, ["run", "--config", config], environment, Launcher);
                await WaitForReadyAsync(notify).ConfigureAwait(false);
                var readyMs = Stopwatch.GetElapsedTime(exec).TotalMilliseconds;
                var readyLine = await running.WaitForOutputAsync("\"EventId\":{\"Id\":100", Timeout).ConfigureAwait(false);
                var apiLine = await running.WaitForOutputAsync("\"EventId\":{\"Id\":7110", Timeout).ConfigureAwait(false);
                if (trace && start >= 0)
                {
                    await running.WaitForOutputAsync(GcLinePrefix, Timeout).ConfigureAwait(false);
                    AddTrace(table, exec, running.Output);
                }

                var first = await HealthCheckAsync(cluster.SocketPath(node)).ConfigureAwait(false);
                var second = await HealthCheckAsync(cluster.SocketPath(node)).ConfigureAwait(false);
                var (readyAt, elapsedMs) = ParseLine(readyLine);
                var (apiAt, _) = ParseLine(apiLine);
                var startAt = readyAt.AddMilliseconds(-elapsedMs);
                Console.Error.WriteLine($"start {start + 1}/{starts}: READY after {readyMs:0.0} ms (StartAsync -> ready {elapsedMs} ms), first call {first:0.0} ms, second {second:0.0} ms");
                if (start < 0)
                {
                    continue;
                }

                ready.Add(readyMs);
                toStart.Add((startAt - execAt).TotalMilliseconds);
                toApi.Add((apiAt - startAt).TotalMilliseconds);
                toReady.Add((readyAt - apiAt).TotalMilliseconds);
                toNotify.Add(readyMs - (readyAt - execAt).TotalMilliseconds);
                firstCall.Add(first);
                secondCall.Add(second);
                launcher.Add(await TimeAsync(node, "/bin/true").ConfigureAwait(false));
                ipNetns.Add(await TimeAsync(node, LabLauncher.IpNetnsExec, "/bin/true").ConfigureAwait(false));
                version.Add(await TimeAsync(node, vipd, "--version").ConfigureAwait(false));
            }
        }
        finally
        {
            if (running is not null)
            {
                await running.DisposeAsync().ConfigureAwait(false);
            }
        }

        table.Fact("API socket file left after a SIGTERM stop", $"{socketLeft} of {starts + options.Warmup} stops");
        table.Fact("clock note", "exec -> StartAsync uses the ready line's ElapsedMs (whole ms) and wall-clock log timestamps; the phases add up to READY within ~1 ms");
        await BenchmarkTable.EmitAsync([table], options.JsonPath).ConfigureAwait(false);

        return 0;
    }

    /// <summary>
    /// One start's trace rows: the time from the previous mark (exec for the first) to each mark, in time order. The
    /// marks are CLOCK_MONOTONIC nanoseconds, the clock of <see cref="Stopwatch.GetTimestamp"/> here.
    /// </summary>
    private static void AddTrace(BenchmarkTable table, long exec, IReadOnlyList<string> output)
    {
        var toNanoseconds = 1e9 / Stopwatch.Frequency;
        var marks = output
            .Where(l => l.StartsWith(TraceLinePrefix, StringComparison.Ordinal))
            .Select(l => l[TraceLinePrefix.Length..].Split(' '))
            .Select(p => (Mark: p[0], At: long.Parse(p[1], CultureInfo.InvariantCulture)))
            .OrderBy(m => m.At)
            .ToList();
        var (previous, previousAt) = ("exec", (long)(exec * toNanoseconds));
        foreach (var (mark, at) in marks)
        {
            table.Get($"  trace {previous} -> {mark}").Add((at - previousAt) / 1e6);
            (previous, previousAt) = (mark, at);
        }

        // vipd-startup-gc GEN0 GEN1 GEN2 ALLOCATED_BYTES, at READY.
        var gc = output.Last(l => l.StartsWith(GcLinePrefix, StringComparison.Ordinal))[GcLinePrefix.Length..].Split(' ');
        table.Get("  trace: gen0 collections before READY").Add(int.Parse(gc[0], CultureInfo.InvariantCulture));
        table.Get("  trace: MiB allocated before READY").Add(long.Parse(gc[3], CultureInfo.InvariantCulture) / 1048576.0);
    }

    /// <summary>Discards datagrams left from the previous start (STOPPING=1, STATUS=...).</summary>
    private static void Drain(Socket notify)
    {
        var buffer = new byte[4096];
        for (var i = 0; i < 1000 && notify.Available > 0; i++)
        {
            notify.Receive(buffer);
        }
    }

    private static async Task WaitForReadyAsync(Socket notify)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var buffer = new byte[4096];
        for (var i = 0; i < 100; i++)
        {
            var n = await notify.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (Encoding.ASCII.GetString(buffer, 0, n).Split('\n').Contains("READY=1"))
            {
                return;
            }
        }

        throw new InvalidOperationException("no READY=1 in 100 datagrams");
    }

    /// <summary>The timestamp (@t) and ElapsedMs (0 when absent) of a Serilog compact JSON line.</summary>
    private static (DateTimeOffset At, long ElapsedMs) ParseLine(string line)
    {
        using var json = JsonDocument.Parse(line);
        var at = DateTimeOffset.Parse(json.RootElement.GetProperty("@t").GetString()!, CultureInfo.InvariantCulture);
        return (at, json.RootElement.TryGetProperty("ElapsedMs", out var elapsed) ? elapsed.GetInt64() : 0);
    }

    /// <summary>Milliseconds for one run of a command in the node's namespace, through <see cref="Launcher"/> (without setsid).</summary>
    private static Task<double> TimeAsync(LabHost node, string file, params string[] args) => TimeAsync(node, Launcher, file, args);

    /// <summary>Milliseconds for one run of a command in the node's namespace, through <paramref name="through"/>.</summary>
    private static async Task<double> TimeAsync(LabHost node, LabLauncher through, string file, params string[] args)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await node.ExecAsync(through, file, args, Timeout).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return result.ExitCode == 0 ? elapsed : throw new InvalidOperationException($"{file} exited {result.ExitCode}: {result.StdErr}");
    }

    /// <summary>
    /// One grpc.health.v1 Check over a new HTTP/2 connection to the Unix socket (the API needs no namespace: the socket
    /// is a file); milliseconds from connect to the response's trailers, which must say grpc-status 0.
    /// </summary>
    private static async Task<double> HealthCheckAsync(string socketPath)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { Timeout = Timeout };
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://vipd/grpc.health.v1.Health/Check")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(new byte[5]), // an uncompressed, empty HealthCheckRequest
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        var started = Stopwatch.GetTimestamp();
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var values) ? values.First()
            : response.Headers.TryGetValues("grpc-status", out var headers) ? headers.First() : "none";
        return response.IsSuccessStatusCode && status == "0" ? elapsed : throw new InvalidOperationException($"health check: HTTP {(int)response.StatusCode}, grpc-status {status}");
    }
}
