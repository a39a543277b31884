using System.Diagnostics;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Api.V1;
using Vipd.Kubernetes.Config;
using Vipd.Kubernetes.Feed;
using Vipd.Kubernetes.Hosting;
using Vipd.Kubernetes.Kube;
using Vipd.Kubernetes.Tests.Fakes;

namespace Vipd.Kubernetes.Tests;

/// <summary>A fake API server, a fake vipd on a Unix socket in a temp folder, and any number of agents against them.</summary>
internal sealed class Harness : IAsyncDisposable
{
    private readonly string _dir;
    private readonly List<Running> _agents = [];

    private Harness(string dir)
    {
        _dir = dir;
        Api = new FakeKubeApi();
        Vipd = new FakeVipd(Path.Combine(dir, "vipd.sock"));
    }

    public FakeKubeApi Api { get; }

    public FakeVipd Vipd { get; }

    public static async Task<Harness> StartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("vipd-k8s-test-").FullName;
        var harness = new Harness(dir);
        await harness.Api.StartAsync();
        await harness.Vipd.StartAsync();
        return harness;
    }

    /// <summary>Short timings so that the tests run in seconds: lease 2 s, renew deadline 1.5 s, retry 200 ms.</summary>
    public K8sConfig Config(string node, params PoolConfig[] pools) => Objects.TestConfig(pools) with
    {
        NodeName = node,
        VipdSocket = Vipd.SocketPath,
        Debounce = TimeSpan.FromMilliseconds(50),
        Resync = TimeSpan.FromSeconds(1),
        Lease = new LeaseConfig
        {
            Namespace = "kube-system",
            Name = "vipd-k8s",
            Duration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromMilliseconds(1500),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
        },
    };

    public Agent StartAgent(K8sConfig config, int seed = 1)
    {
        var connection = KubeConnection.ForUri(Api.BaseUri);
        var channel = VipdChannel.ForSocket(config.VipdSocket);
        var agent = new Agent(config, connection, new VipdService.VipdServiceClient(channel), TimeProvider.System, new Random(seed), NullLoggerFactory.Instance);
        var cts = new CancellationTokenSource();
        var task = Task.Run(() => agent.RunAsync(cts.Token));
        _agents.Add(new Running(agent, cts, task, connection, channel));
        return agent;
    }

    public async Task StopAgentAsync(Agent agent)
    {
        var running = _agents.Single(a => a.Agent == agent);
        _agents.Remove(running);
        await running.StopAsync();
    }

    /// <summary>Polls <paramref name="condition"/> every 10 ms; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task<TimeSpan> EventuallyAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var start = Stopwatch.GetTimestamp();
        while (!condition())
        {
            if (Stopwatch.GetElapsedTime(start) > timeout)
            {
                Assert.Fail($"not within {timeout.TotalSeconds} s: {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(10), TimeProvider.System);
        }

        return Stopwatch.GetElapsedTime(start);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var running in _agents)
            {
                await running.StopAsync();
            }

            await Vipd.DisposeAsync();
            await Api.DisposeAsync();
        }
        finally
        {
            // Also after a failed stop: leave no socket folder behind.
            Directory.Delete(_dir, recursive: true);
        }
    }

    private sealed record Running(Agent Agent, CancellationTokenSource Cts, Task Task, KubeConnection Connection, GrpcChannel Channel)
    {
        public async Task StopAsync()
        {
            await Cts.CancelAsync();
            await Task.WaitAsync(TimeSpan.FromSeconds(10));
            Agent.Dispose();
            Connection.Dispose();
            Channel.Dispose();
            Cts.Dispose();
        }
    }
}
