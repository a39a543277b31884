using System.Diagnostics;
using System.Globalization;
using Vipd.Core.Membership;
using Vipd.Core.Tests.Simulation;

namespace Vipd.Benchmarks;

/// <summary>
/// Candidate default timings of the membership at 3 nodes, in the deterministic simulation (issue 13, item 3):
/// detection of a crash (crash to every survivor holding the node dead), false deaths and suspicions under loss, and
/// idle bytes per node and second on the wire (UDP payload + 46: Ethernet header and FCS, IPv4, UDP).
/// <c>VIPD_SIM_CANDIDATES="80/20/30/100,100/15/25/85"</c> = interval/probe timeout/indirect timeout/suspicion minimum in
/// ms; a trailing <c>x</c> starts from the fast profile instead of the default one. (Until 611f368 the flags <c>a</c>,
/// ProbeWithAck, and <c>f</c>, one probe order instead of a reshuffle per round, compared the probe schedules; both are
/// gone: one fixed order is the only schedule now.)
/// <c>VIPD_SIM_CRASHES</c> (400), <c>VIPD_SIM_SOAK</c> (seeds x seconds per loss rate, 40x300).
/// </summary>
internal static class TimingSweep
{
    public static int Run(string candidates)
    {
        var crashes = Env("VIPD_SIM_CRASHES", 400);
        var soak = (Environment.GetEnvironmentVariable("VIPD_SIM_SOAK") ?? "40x300").Split('x');
        var soakSeeds = int.Parse(soak[0], CultureInfo.InvariantCulture);
        var soakSeconds = int.Parse(soak[1], CultureInfo.InvariantCulture);
        Console.WriteLine($"3 nodes; detection n={crashes} crashes; loss soak {soakSeeds} seeds x {soakSeconds} s per rate ({soakSeeds * soakSeconds * 3} node-seconds)");
        var delay = TimeSpan.FromMilliseconds(Env("VIPD_SIM_DELAY_MS", 25));
        var scenarios = (Environment.GetEnvironmentVariable("VIPD_SIM_SCENARIOS") ?? "0.05:0,0.10:0,0.10:0.02")
            .Split(',').Select(s => s.Split(':')).Select(p => (Loss: double.Parse(p[0], CultureInfo.InvariantCulture), Delayed: double.Parse(p[1], CultureInfo.InvariantCulture))).ToArray();
        Console.WriteLine("| candidate | wire B/s per node (max node) | frames/s | detection mean / p50 / p90 / p99 / max ms | "
            + string.Join(" | ", scenarios.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Loss:P0} loss{(s.Delayed > 0 ? $" + {s.Delayed:P0} delayed {delay.TotalMilliseconds} ms" : "")}: false deaths / suspicions"))) + " |");
        Console.WriteLine("|---|---|---|---|" + string.Concat(scenarios.Select(_ => "---|")));
        foreach (var spec in candidates.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var wall = Stopwatch.StartNew();
            var options = Parse(spec);
            var (bytes, maxNode, frames) = Idle(options);
            var detection = new double[crashes];
            Parallel.For(0, crashes, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => detection[i] = Detection(options, i + 1));
            Array.Sort(detection);
            var soaks = scenarios.Select(s => Soak(options, s.Loss, s.Delayed, delay, soakSeeds, soakSeconds)).ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {spec} | {bytes:F0} ({maxNode:F0}) | {frames:F1} | {detection.Average():F1} / {P(detection, 0.5)} / {P(detection, 0.9)} / {P(detection, 0.99)} / {detection[^1]} | ")
                + string.Join(" | ", soaks.Select(s => $"{s.Dead} / {s.Suspect}")) + " |");
            Console.Error.WriteLine($"{spec}: {wall.Elapsed.TotalSeconds:F0} s wall");
        }

        return 0;
    }

    private static int Env(string name, int fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static double P(double[] sorted, double q) => sorted[(int)Math.Ceiling(q * sorted.Length) - 1];

    private static MembershipOptions Parse(string spec)
    {
        var flags = spec.TrimStart("0123456789/.".ToCharArray());
        var numbers = spec[..^flags.Length].Split('/').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return (flags.Contains('x', StringComparison.Ordinal) ? MembershipOptions.Fast : MembershipOptions.Default) with
        {
            ProbeInterval = TimeSpan.FromMilliseconds(numbers[0]),
            ProbeTimeout = TimeSpan.FromMilliseconds(numbers[1]),
            IndirectProbeTimeout = TimeSpan.FromMilliseconds(numbers[2]),
            SuspicionMinimum = TimeSpan.FromMilliseconds(numbers[3]),
        };
    }

    private static (double Bytes, double MaxNode, double Frames) Idle(MembershipOptions options)
    {
        using var cluster = new MembershipCluster(1, options).AddNodes(3);
        cluster.StartAll();
        cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(2));
        cluster.RunFor(TimeSpan.FromSeconds(3));
        var bytes = cluster.Nodes.Select(n => n.Membership.Traffic.BytesSent).ToArray();
        var datagrams = cluster.Nodes.Select(n => n.Membership.Traffic.DatagramsSent).ToArray();
        var window = TimeSpan.FromSeconds(60);
        cluster.RunFor(window);
        var wire = cluster.Nodes.Select((n, i) =>
            ((n.Membership.Traffic.BytesSent - bytes[i]) + (46.0 * (n.Membership.Traffic.DatagramsSent - datagrams[i]))) / window.TotalSeconds).ToArray();
        var frames = cluster.Nodes.Select((n, i) => (n.Membership.Traffic.DatagramsSent - datagrams[i]) / window.TotalSeconds).Average();
        return (wire.Average(), wire.Max(), frames);
    }

    private static double Detection(MembershipOptions options, int seed)
    {
        using var cluster = new MembershipCluster(seed, options).AddNodes(3);
        cluster.StartAll();
        if (!cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(2)))
        {
            throw new InvalidOperationException(cluster.Describe());
        }

        // A crash at a seed-dependent point of the probe cycle (as ProbeWithAckTests measured).
        cluster.RunFor(TimeSpan.FromMilliseconds(500 + (seed * 7 % 173)));
        var crashed = cluster.Elapsed;
        cluster["n2"].Crash();
        if (!cluster.RunUntil(() => cluster.AllSee("n2", MemberState.Dead), TimeSpan.FromSeconds(3)))
        {
            throw new InvalidOperationException(cluster.Describe());
        }

        return (cluster.Elapsed - crashed).TotalMilliseconds;
    }

    private static (int Dead, int Suspect) Soak(MembershipOptions options, double loss, double delayed, TimeSpan delay, int seeds, int seconds)
    {
        var dead = 0;
        var suspect = 0;
        Parallel.For(0, seeds, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            using var cluster = new MembershipCluster(1000 + i, options).AddNodes(3);
            cluster.StartAll();
            cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(2));
            var start = cluster.Elapsed;
            cluster.Network.LossRate = loss;
            cluster.Network.ReorderRate = delayed;
            cluster.Network.ReorderDelay = delay;
            cluster.RunFor(TimeSpan.FromSeconds(seconds));
            var d = cluster.Nodes.Sum(n => n.Events.Count(e => e.At >= start && e.Member.State == MemberState.Dead));
            var s = cluster.Nodes.Sum(n => n.Events.Count(e => e.At >= start && e.Member.State == MemberState.Suspect));
            if (d > 0 && Environment.GetEnvironmentVariable("VIPD_SIM_TRACE") is { Length: > 0 })
            {
                var firstDead = cluster.Nodes.SelectMany(n => n.Events.Where(e => e.At >= start && e.Member.State == MemberState.Dead).Select(e => (Node: n.Name, e.At, e.Member))).MinBy(e => e.At);
                lock (options)
                {
                    Console.Error.WriteLine($"seed {1000 + i}: {firstDead.Node} saw {firstDead.Member.Name} dead at {firstDead.At.TotalMilliseconds}");
                    foreach (var e in cluster.Nodes.SelectMany(n => n.Events.Where(e => e.Member.Name == firstDead.Member.Name && e.At >= firstDead.At - TimeSpan.FromMilliseconds(600) && e.At <= firstDead.At + TimeSpan.FromMilliseconds(300)).Select(e => (n.Name, e.At, e.Member))).OrderBy(e => e.At))
                    {
                        Console.Error.WriteLine($"  {e.At.TotalMilliseconds} {e.Name}: {e.Member.Name} {e.Member.State} @{e.Member.Incarnation}");
                    }
                }
            }

            Interlocked.Add(ref dead, d);
            Interlocked.Add(ref suspect, s);
        });
        return (dead, suspect);
    }
}
