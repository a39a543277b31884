using System.Globalization;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>
/// The seeded chaos run over whole nodes: 3–5 nodes, 3–7 VIPs (some with a check, some preempt off, some limited to
/// two nodes), quorum in three runs of ten, the default profile in nineteen of twenty (else fast).
/// </summary>
internal static class ChaosScenario
{
    /// <summary>After the last fault heals: detection (default profile ≤ 0.5 s), startup and new-VIP graces (2 s), handover bound (5 s).</summary>
    public static readonly TimeSpan QuietWindow = TimeSpan.FromSeconds(7);

    /// <summary>How many seeds the suite runs (<c>VIPD_SIM_SEEDS</c>, default 10,000), split over the chaos test classes.</summary>
    public static int SeedCount =>
        int.TryParse(Environment.GetEnvironmentVariable("VIPD_SIM_SEEDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) ? count : 10_000;

    /// <summary>Seeds <c>part</c>, <c>part + parts</c>, … up to <see cref="SeedCount"/>; only <c>VIPD_SEED</c> when set (replay).</summary>
    public static TheoryData<int> Seeds(int part, int parts)
    {
        var data = new TheoryData<int>();
        if (SimulationSeeds.Replay is { } replay)
        {
            if (replay % parts == part % parts)
            {
                data.Add(replay);
            }

            return data;
        }

        for (var seed = part; seed <= SeedCount; seed += parts)
        {
            data.Add(seed);
        }

        return data;
    }

    /// <summary>One seeded run: start, settle, 1–3 faults in 4 s, then the invariants over a second once the window has passed.</summary>
    public static void Run(int seed)
    {
        var random = new Random(seed);
        // One seed in twenty runs the fast profile (gossip every 3 ms: eight times the work of a default-profile run).
        using var sim = new NodeSimulation(seed, hosts: 3 + random.Next(3), vips: 3 + random.Next(5), quorum: random.NextDouble() < 0.3, profile: seed % 20 == 0 ? "fast" : "default");
        sim.StartAll();

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
