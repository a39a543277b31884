using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Vipd.Lab.Daemon;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests;

/// <summary>
/// Many VIPs on three real vipd processes: every VIP must have exactly one holder once settled and again after a node
/// is lost (cable pulled, then killed), however many VIPs a node record has to carry.
/// </summary>
public sealed class ScaleLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan AfterCrash = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private const int PingSample = 20;
    private const int Listed = 20;

    /// <summary>How long the holders must stay unchanged before the cluster counts as settled.</summary>
    private static readonly TimeSpan StableFor = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(200)]
    [InlineData(400)]
    public async Task ManyVips_SettledAndAfterCrash_EveryVipHasExactlyOneHolder(int count)
    {
        var start = Stopwatch.GetTimestamp();
        await using var lab = await LabNetwork.CreateAsync(3);
        // The VIPs are off the lab's 192.0.2.0/24: the client resolves them on eth0, the nodes answer ARP for any local address.
        await lab.Client.AddOnLinkRouteAsync(IPAddress.Parse("198.51.100.0"), 24);
        await lab.Client.AddOnLinkRouteAsync(IPAddress.Parse("203.0.113.0"), 24);
        // Unpaced: the lab bridge has no ARP inspection, and this test is about holders and reachability 10 s after a
        // crash; at the default 10 packets/s a survivor taking ~130 VIPs needs ~26 s for their first GARPs
        // (PacingLabTests covers pacing).
        var options = new VipdClusterOptions { Vips = VipdClusterOptions.ManyVips(count), NodeExtra = _ => "[announce]\nrate = 0" };
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), options);

        // Settled: one holder per VIP, spread over the nodes (equal priorities).
        var settled = await WaitForOneHolderEachAsync(cluster, lab.Nodes, Settle);
        var settleTime = Stopwatch.GetElapsedTime(start);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} VIPs: {Problems(settled)} not on exactly one node {settleTime.TotalSeconds:0.0} s after start"));
        Assert.True(Problems(settled) == 0, Describe($"{count} VIPs on 3 nodes, not settled after {Settle.TotalSeconds:0} s", settled, cluster));
        var perNode = lab.Nodes.ToDictionary(n => n, n => settled.Count(p => p.Value[0] == n));
        Assert.True(perNode.Values.All(c => c > 0), $"VIPs are not spread: {string.Join(", ", perNode.Select(p => $"{p.Key.Name} {p.Value}"))}");

        // A sample of VIPs the victim holds and of VIPs the others hold; pinging them now also gives the client
        // neighbour entries for the victim's MAC, which the successors' announcements must move.
        var victim = lab.Nodes[0];
        var survivors = lab.Nodes.Where(n => n != victim).ToList();
        var fromVictim = settled.Where(p => p.Value[0] == victim).Select(p => p.Key).Take(PingSample / 2).ToList();
        List<IPAddress> sample = [.. fromVictim, .. settled.Where(p => p.Value[0] != victim).Select(p => p.Key).Take(PingSample - fromVictim.Count)];
        await AssertClientReachesAsync(lab.Client, sample, "settled", cluster);

        // The honest crash: the cable goes first (the victim runs on, cut off), then the process dies.
        var crashAt = Stopwatch.GetTimestamp();
        await lab.CrashAsync(victim);
        var wait = AfterCrash - Stopwatch.GetElapsedTime(crashAt);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        // Only the survivors count: the victim's namespace still has its addresses, but nobody can reach them.
        var after = await cluster.HoldersByVipAsync(survivors);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} VIPs: {Problems(after)} not on exactly one survivor {Stopwatch.GetElapsedTime(crashAt).TotalSeconds:0.0} s after the crash"));
        Assert.True(Problems(after) == 0, Describe($"{count} VIPs, {AfterCrash.TotalSeconds:0} s after {victim.Name} lost its cable and was killed", after, cluster));
        await AssertClientReachesAsync(lab.Client, sample, $"after {victim.Name} crashed", cluster);

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{count} VIPs: settled {settleTime.TotalSeconds:0.0} s after start ({string.Join(", ", perNode.Select(p => $"{p.Key.Name} {p.Value}"))}); whole test {Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s"));
    }

    /// <summary>Polls (bounded by <paramref name="timeout"/>) until every VIP has exactly one holder; returns the last view.</summary>
    /// <summary>
    /// Polls (bounded) until every VIP has one holder, every node holds some, and that has not changed for a second:
    /// right after start a node still in its startup grace holds nothing while the others already hold one each, and
    /// preempting VIPs then move to it (make-before-break), so an earlier snapshot is not the settled state.
    /// </summary>
    private static async Task<IReadOnlyDictionary<IPAddress, IReadOnlyList<LabHost>>> WaitForOneHolderEachAsync(VipdCluster cluster, IReadOnlyList<LabHost> nodes, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var holders = await cluster.HoldersByVipAsync(nodes);
        var stableSince = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var settled = Problems(holders) == 0 && nodes.All(n => holders.Values.Any(h => h[0] == n));
            if (settled && Stopwatch.GetElapsedTime(stableSince) >= StableFor)
            {
                break;
            }

            await Task.Delay(Poll);
            var next = await cluster.HoldersByVipAsync(nodes);
            if (!settled || next.Any(p => !holders.TryGetValue(p.Key, out var before) || !before.SequenceEqual(p.Value)))
            {
                stableSince = Stopwatch.GetTimestamp();
            }

            holders = next;
        }

        return holders;
    }

    private static int Problems(IReadOnlyDictionary<IPAddress, IReadOnlyList<LabHost>> holders) => holders.Values.Count(h => h.Count != 1);

    /// <summary>Counts and the first <see cref="Listed"/> double-bound and unbound VIPs with their holders, then the daemons' logs.</summary>
    private static string Describe(string situation, IReadOnlyDictionary<IPAddress, IReadOnlyList<LabHost>> holders, VipdCluster cluster)
    {
        var doubled = holders.Where(p => p.Value.Count > 1).ToList();
        var unbound = holders.Where(p => p.Value.Count == 0).Select(p => p.Key).ToList();
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{situation}: {doubled.Count} of {holders.Count} VIPs bound on several nodes, {unbound.Count} on none").AppendLine()
            .Append("by holders: ")
            .AppendJoin(", ", doubled.GroupBy(p => string.Join('+', p.Value.Select(h => h.Name))).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}")).AppendLine()
            .Append(CultureInfo.InvariantCulture, $"several holders (first {Listed}): ")
            .AppendJoin(", ", doubled.Take(Listed).Select(p => $"{p.Key} on {string.Join('+', p.Value.Select(h => h.Name))}")).AppendLine()
            .Append(CultureInfo.InvariantCulture, $"no holder (first {Listed}): ")
            .AppendJoin(", ", unbound.Take(Listed)).AppendLine()
            .Append(cluster.Logs());
        return text.ToString();
    }

    /// <summary>The client pings every VIP of <paramref name="sample"/> (in parallel; one answer of three is enough).</summary>
    private static async Task AssertClientReachesAsync(LabHost client, List<IPAddress> sample, string when, VipdCluster cluster)
    {
        Assert.True(sample.Count >= 10, $"a ping sample of {sample.Count} VIPs is too small");
        var results = await Task.WhenAll(sample.Select(async vip =>
            (Vip: vip, Result: await client.ExecAsync("ping", "-c", "3", "-i", "0.2", "-W", "1", vip.ToString()))));
        var unreachable = results.Where(r => r.Result.ExitCode != 0).Select(r => r.Vip).ToList();
        Assert.True(unreachable.Count == 0, $"{when}: the client cannot ping {unreachable.Count} of {sample.Count} sampled VIPs: {string.Join(", ", unreachable)}{Environment.NewLine}{cluster.Logs()}");
    }
}
