using System.Globalization;
using System.Net;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>
/// Complete nodes (the daemon's <c>Node</c>) in virtual time with a fake kernel and a simulated segment: the
/// invariants hold once a detection window has passed since the last fault, whatever the seeded faults were.
/// </summary>
public sealed class WholeNodeSimulationTests
{
    /// <summary>After the last fault heals: detection (default profile ≤ 0.5 s), startup and new-VIP graces (2 s), handover bound (5 s).</summary>
    private static readonly TimeSpan QuietWindow = TimeSpan.FromSeconds(7);

    public static TheoryData<int> Seeds => SimulationSeeds.Get(SeedCount);

    private static int SeedCount =>
        int.TryParse(Environment.GetEnvironmentVariable("VIPD_SIM_SEEDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 200;

    [Fact]
    public void Crash_HolderDies_OneSurvivorTakesOverAndTheClientFollows()
    {
        using var sim = new NodeSimulation(seed: 1, hosts: 3, vips: 4, quorum: false);
        foreach (var host in sim.Hosts)
        {
            sim.Start(host, freshKernel: true);
        }

        sim.Run(TimeSpan.FromSeconds(3));
        Assert.Null(sim.CheckInvariants());
        var address = IPAddress.Parse("198.51.100.101");
        var holder = Assert.Single(sim.Hosts, h => h.Kernel.Has(address));

        sim.Crash(holder);
        var crashedAt = sim.Now;
        TimeSpan? followedAt = null;
        sim.Run(TimeSpan.FromSeconds(2), () =>
        {
            if (followedAt is null && sim.Segment.ClientCache.TryGetValue(address, out var mac) && !mac.Equals(holder.Kernel.Mac))
            {
                followedAt = sim.Now;
            }
        });

        Assert.Null(sim.CheckInvariants());
        Assert.NotNull(followedAt);
        var gap = followedAt.Value - crashedAt;
        Assert.True(gap < TimeSpan.FromMilliseconds(500), $"the client followed after {gap.TotalMilliseconds} ms");
    }

    [Fact]
    public void Freeze_HolderFrozenThenThawed_OneHolderAfterwards()
    {
        using var sim = new NodeSimulation(seed: 2, hosts: 3, vips: 4, quorum: false);
        foreach (var host in sim.Hosts)
        {
            sim.Start(host, freshKernel: true);
        }

        sim.Run(TimeSpan.FromSeconds(3));
        var holder = Assert.Single(sim.Hosts, h => h.Kernel.Has(IPAddress.Parse("198.51.100.100")));
        sim.Freeze(holder, TimeSpan.FromSeconds(2));
        sim.Run(TimeSpan.FromSeconds(1));

        // While frozen the old holder's kernel still has the VIP: two holders, the client follows the new one.
        Assert.Equal(2, sim.Hosts.Count(h => h.Kernel.Has(IPAddress.Parse("198.51.100.100"))));
        sim.Run(QuietWindow);
        Assert.Null(sim.CheckInvariants());
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Chaos_SeededFaults_InvariantsHoldAfterTheDetectionWindow(int seed)
    {
        var random = new Random(seed);
        // One seed in twenty runs the fast profile (gossip every 3 ms: eight times the work of a default-profile run).
        using var sim = new NodeSimulation(seed, hosts: 3 + random.Next(3), vips: 3 + random.Next(5), quorum: random.NextDouble() < 0.3, profile: seed % 20 == 0 ? "fast" : "default");
        foreach (var host in sim.Hosts)
        {
            sim.Start(host, freshKernel: true);
        }

        sim.Run(TimeSpan.FromSeconds(3));
        string? violation = sim.CheckInvariants();
        Assert.True(violation is null, sim.Describe(violation ?? string.Empty));

        var healedBy = InjectFaults(sim, random);
        sim.Run(healedBy - sim.Now + QuietWindow, () => violation ??= sim.MinorityViolation);
        for (var i = 0; i < 100 && violation is null; i++)
        {
            sim.Run(TimeSpan.FromMilliseconds(10));
            violation = sim.CheckInvariants();
        }

        Assert.True(violation is null, sim.Describe(violation ?? string.Empty));
    }

    /// <summary>Schedules 1–3 seeded faults in the next 4 s; returns when the last one heals.</summary>
    private static TimeSpan InjectFaults(NodeSimulation sim, Random random)
    {
        var start = sim.Now;
        var healedBy = start;
        var permanent = 0;
        var faults = 1 + random.Next(3);
        for (var f = 0; f < faults; f++)
        {
            var at = TimeSpan.FromMilliseconds(random.Next(4000));
            var duration = TimeSpan.FromMilliseconds(500 + random.Next(2500));
            var host = sim.Hosts[random.Next(sim.Hosts.Count)];
            var end = start + at + duration;
            switch (random.Next(11))
            {
                case 0 when permanent < sim.Hosts.Count - 1:
                    permanent++;
                    sim.After(at, () =>
                    {
                        if (host.Up)
                        {
                            sim.Crash(host);
                        }
                    });
                    end = start + at;
                    break;
                case 1:
                    var fresh = random.Next(2) == 0;
                    sim.After(at, () =>
                    {
                        if (host.Up)
                        {
                            sim.Crash(host);
                        }
                    });
                    sim.After(at + duration, () =>
                    {
                        if (!host.Up)
                        {
                            sim.Note($"restart {host.Name} ({(fresh ? "rebooted" : "daemon only")})");
                            sim.Start(host, fresh);
                        }
                    });
                    break;
                case 2:
                    // A freeze of up to 10 s now and then (GC pause, VM migration, SIGSTOP).
                    var freeze = random.Next(8) == 0 ? TimeSpan.FromMilliseconds(500 + random.Next(9500)) : duration;
                    sim.After(at, () =>
                    {
                        if (host.Up && !host.Frozen)
                        {
                            sim.Freeze(host, freeze);
                        }
                    });
                    end = start + at + freeze;
                    break;
                case 3:
                    var other = sim.Hosts[(host.Index + 1 + random.Next(sim.Hosts.Count - 1)) % sim.Hosts.Count];
                    sim.After(at, () =>
                    {
                        sim.Note($"one-way loss {host.Name} -> {other.Name}");
                        sim.Network.BlockOneWay(host.Endpoint, other.Endpoint);
                    });
                    sim.After(at + duration, sim.HealNetwork);
                    break;
                case 4:
                    sim.After(at, () =>
                    {
                        sim.Note("30 % loss, 5 ms jitter");
                        sim.Network.LossRate = 0.3;
                        sim.Network.Jitter = TimeSpan.FromMilliseconds(5);
                    });
                    sim.After(at + duration, sim.HealNetwork);
                    break;
                case 5:
                    var cut = 1 + random.Next(sim.Hosts.Count - 1);
                    var minorityHold = duration > TimeSpan.FromSeconds(2.5);
                    sim.After(at, () =>
                    {
                        var epoch = sim.Partition(cut);
                        if (minorityHold)
                        {
                            sim.After(TimeSpan.FromSeconds(2), () => sim.CheckMinority(cut, epoch));
                        }
                    });

                    sim.After(at + duration, sim.HealNetwork);
                    break;
                case 6:
                    sim.After(at, () =>
                    {
                        if (host.Up)
                        {
                            sim.LinkDown(host, duration);
                        }
                    });
                    break;
                case 7:
                    sim.After(at, () => sim.FailCheck(host, duration));
                    break;
                case 8:
                    var add = random.Next(2) == 0;
                    sim.After(at, () => sim.Reload(add));
                    break;
                case 9:
                    // An apply/remove storm: ten commands on random nodes within half a second.
                    for (var i = 0; i < 10; i++)
                    {
                        var target = sim.Hosts[random.Next(sim.Hosts.Count)];
                        var index = random.Next(4);
                        var remove = random.Next(3) == 0;
                        sim.After(at + TimeSpan.FromMilliseconds(i * 50), () => sim.ApplyDynamic(target, index, remove));
                    }

                    end = start + at + TimeSpan.FromMilliseconds(500);
                    break;
                default:
                    sim.After(at, () =>
                    {
                        if (host.Up)
                        {
                            sim.Stop(host);
                        }
                    });
                    sim.After(at + duration + TimeSpan.FromMilliseconds(400), () =>
                    {
                        if (!host.Up)
                        {
                            sim.Note($"start {host.Name} again");
                            sim.Start(host, freshKernel: false);
                        }
                    });
                    end += TimeSpan.FromMilliseconds(400);
                    break;
            }

            if (end > healedBy)
            {
                healedBy = end;
            }
        }

        return healedBy;
    }
}
