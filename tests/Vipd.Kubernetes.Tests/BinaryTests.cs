using System.Diagnostics;
using static Vipd.Kubernetes.Tests.Objects;

namespace Vipd.Kubernetes.Tests;

/// <summary>
/// The <c>vipd-k8s</c> executable as a process against the fake API server, through a real kubeconfig read by
/// KubernetesClient.Aot. By default the JIT build of src/Vipd.Kubernetes (same configuration as the tests);
/// VIPD_K8S_BINARY names another one, e.g. the
/// NativeAOT build (`dotnet publish src/Vipd.Kubernetes -c Release -r linux-x64 -o DIR`), which proves that the
/// hand-written watch works without a JIT.
/// </summary>
public class BinaryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public BinaryTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Binary_WithKubeconfig_WatchesAllocatesAndFeedsVipd()
    {
        var binary = Environment.GetEnvironmentVariable("VIPD_K8S_BINARY") is { Length: > 0 } b ? b : JitBuild();
        Assert.True(File.Exists(binary), $"no vipd-k8s binary at {binary}");
        _output.WriteLine($"binary: {binary}");

        await using var h = await Harness.StartAsync();
        var dir = Path.GetDirectoryName(h.Vipd.SocketPath)!;
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {h.Api.BaseUri.ToString().TrimEnd('/')}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: tester
            current-context: fake
            users:
            - name: tester
              user:
                token: not-a-secret
            """);
        var config = Path.Combine(dir, "vipd-k8s.toml");
        await File.WriteAllTextAsync(config, $"""
            [vipd]
            socket = "{h.Vipd.SocketPath}"
            [node]
            name = "n1"
            interface = "eth0"
            [kubernetes]
            kubeconfig = "{kubeconfig}"
            debounce = "50ms"
            resync = "1s"
            [lease]
            duration = "2s"
            renew_deadline = "1500ms"
            retry_period = "200ms"
            [[pool]]
            name = "default"
            addresses = ["192.0.2.200-192.0.2.203"]
            """);
        h.Api.Apply(Service("web", 1, local: true));
        h.Api.Apply(Slice("web", "web-1", "default", ("n2", true)));

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(new ProcessStartInfo(binary, ["run", "--config", config]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Harness.EventuallyAsync(() => h.Vipd.Current is [{ Name: "default.web.v4", AllowedNodes: ["n2"] }], Timeout, "the binary applies the VIP");
            _output.WriteLine($"start to first ApplyVips: {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms");
            Assert.Equal("192.0.2.200", h.Api.GetService("default", "web")!.Status!.LoadBalancer!.Ingress![0].Ip);

            // A watch event (not a list) must reach it.
            var before = Stopwatch.GetTimestamp();
            h.Api.Apply(Slice("web", "web-1", "default", ("n3", true)));
            await Harness.EventuallyAsync(() => h.Vipd.Current is [{ AllowedNodes: ["n3"] }], Timeout, "the watch delivers the EndpointSlice change");
            Assert.True(Stopwatch.GetElapsedTime(before) < TimeSpan.FromSeconds(1));
            var rss = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            _output.WriteLine($"EndpointSlice change to ApplyVips: {Stopwatch.GetElapsedTime(before).TotalMilliseconds:F0} ms; {rss}");
        }
        catch
        {
            lock (output)
            {
                _output.WriteLine(output.ToString());
            }

            throw;
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>tests/Vipd.Kubernetes.Tests/bin/CONFIG/net10.0 → src/Vipd.Kubernetes/bin/CONFIG/net10.0/vipd-k8s.</summary>
    private static string JitBuild()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var configuration = here.Parent!.Name;
        var root = here.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(root, "src", "Vipd.Kubernetes", "bin", configuration, here.Name, "vipd-k8s");
    }
}
