using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Vipd.Lab;

/// <summary>
/// One FRR instance (zebra, bgpd, bfdd) inside a lab namespace, with the namespace's name as its pathspace
/// (<c>vtysh -N NS</c>): its config in <c>/etc/frr/NS</c>, its sockets and pid files in <c>/var/run/frr/NS</c>, both
/// removed on dispose. Never in the root namespace. Started with <c>frr defaults datacenter</c> (the traditional
/// profile would delay eBGP updates by up to 30 s).
/// </summary>
public sealed class LabFrr : IAsyncDisposable
{
    /// <summary>The daemons every instance runs.</summary>
    public static readonly string[] Daemons = ["zebra", "bgpd", "bfdd"];

    private const string FrrLib = "/usr/lib/frr";
    private int _disposed;

    private LabFrr(LabHost host) => Host = host;

    /// <summary>The namespace the instance runs in.</summary>
    public LabHost Host { get; }

    /// <summary>The pathspace (the namespace's name).</summary>
    public string Pathspace => Host.Namespace;

    /// <summary>The instance's config folder.</summary>
    public string ConfigDirectory => $"/etc/frr/{Pathspace}";

    /// <summary>The instance's run folder (vty sockets, pid files).</summary>
    public string RunDirectory => $"/var/run/frr/{Pathspace}";

    /// <summary>True when FRR's daemons and vtysh are installed (Debian's <c>frr</c> package).</summary>
    public static bool IsInstalled => Daemons.All(d => File.Exists(Path.Combine(FrrLib, d))) && File.Exists("/usr/bin/vtysh");

    /// <summary>Starts FRR in <paramref name="host"/>'s namespace with <paramref name="config"/> (frr.conf text) and waits until vtysh answers.</summary>
    public static async Task<LabFrr> StartAsync(LabHost host, string config)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(config);
        if (!IsInstalled)
        {
            throw new InvalidOperationException("FRR is not installed: run tests/install-deps (apt-get install frr frr-pythontools)");
        }

        var frr = new LabFrr(host);
        host.Network.Own(frr);
        Directory.CreateDirectory(frr.ConfigDirectory);
        Directory.CreateDirectory(frr.RunDirectory);
        // The daemons start with the defaults only; the rest goes in through vtysh, which hands each line to its daemon
        // (a daemon reading a shared file stops at the first "exit" of a block it does not know).
        await File.WriteAllTextAsync(Path.Combine(frr.ConfigDirectory, "frr.conf"), "frr defaults datacenter\n").ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(frr.ConfigDirectory, "vtysh.conf"), string.Empty).ConfigureAwait(false);
        await Tool.CheckAsync("chown", ["-R", "frr:frr", frr.ConfigDirectory, frr.RunDirectory]).ConfigureAwait(false);
        await frr.StartDaemonsAsync().ConfigureAwait(false);
        var lines = config.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => l != "frr defaults datacenter").ToArray();
        if (lines.Length > 0)
        {
            var applied = await frr.VtyshAsync(["configure terminal", .. lines, "end"]).ConfigureAwait(false);
            if (applied.ExitCode != 0)
            {
                throw new InvalidOperationException($"vtysh -N {frr.Pathspace} refused the lab's config: {applied.StdOut}{applied.StdErr}");
            }
        }

        return frr;
    }

    /// <summary>Starts the daemons again (after <see cref="KillAsync"/>) with the defaults only: what an FRR restart without a saved config looks like.</summary>
    public async Task StartDaemonsAsync()
    {
        foreach (var daemon in Daemons)
        {
            // -d: the daemon forks into the background, in the namespace; the lab's sweep kills it with the namespace.
            await Tool.CheckAsync("ip", ["netns", "exec", Pathspace, Path.Combine(FrrLib, daemon), "-d", "-N", Pathspace, "-F", "datacenter", "-f", Path.Combine(ConfigDirectory, "frr.conf"), "-i", PidFile(daemon)]).ConfigureAwait(false);
        }

        for (var i = 0; i < 100; i++)
        {
            if ((await VtyshAsync("show version").ConfigureAwait(false)).ExitCode == 0 && Daemons.All(d => File.Exists(PidFile(d))))
            {
                return;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        throw new TimeoutException($"FRR in {Pathspace} did not answer vtysh within 5 s");
    }

    /// <summary>SIGKILLs the instance's daemons (by their pid files): a crash, or an FRR restart's first half.</summary>
    public async Task KillAsync()
    {
        var pids = Daemons.Select(PidOf).Where(p => p > 0).ToList();
        foreach (var pid in pids)
        {
            Posix.KillProcess(pid, Posix.SigKill);
        }

        for (var i = 0; i < 200 && pids.Any(Posix.Exists); i++)
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        foreach (var daemon in Daemons)
        {
            File.Delete(PidFile(daemon));
        }
    }

    /// <summary>Runs vtysh against this instance with one <c>-c</c> per command.</summary>
    public Task<CommandResult> VtyshAsync(params string[] commands) =>
        Tool.RunAsync("vtysh", ["-N", Pathspace, .. commands.SelectMany(c => new[] { "-c", c })]);

    /// <summary>The next hops of <paramref name="prefix"/> in the kernel FIB of the instance's namespace (empty when there is no route).</summary>
    public async Task<IReadOnlyList<IPAddress>> NextHopsAsync(IPAddress prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var family = prefix.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "-6" : "-4";
        var result = await Host.ExecAsync("ip", family, "-j", "route", "show", prefix.ToString()).ConfigureAwait(false);
        if (result.ExitCode != 0 || string.IsNullOrWhiteSpace(result.StdOut))
        {
            return [];
        }

        var hops = new List<IPAddress>();
        using var document = JsonDocument.Parse(result.StdOut);
        foreach (var route in document.RootElement.EnumerateArray())
        {
            if (route.TryGetProperty("gateway", out var gateway))
            {
                hops.Add(IPAddress.Parse(gateway.GetString()!));
            }

            if (route.TryGetProperty("nexthops", out var nexthops))
            {
                hops.AddRange(nexthops.EnumerateArray().Where(h => h.TryGetProperty("gateway", out _)).Select(h => IPAddress.Parse(h.GetProperty("gateway").GetString()!)));
            }
        }

        return hops;
    }

    /// <summary>Waits until <paramref name="accept"/> holds for the next hops of <paramref name="prefix"/>; returns them and when (polling every 5 ms).</summary>
    public async Task<(IReadOnlyList<IPAddress> Hops, TimeSpan After)> WaitForNextHopsAsync(IPAddress prefix, Func<IReadOnlyList<IPAddress>, bool> accept, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(accept);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        IReadOnlyList<IPAddress> hops = [];
        for (var i = 0; i < 100_000 && System.Diagnostics.Stopwatch.GetElapsedTime(started) < timeout; i++)
        {
            hops = await NextHopsAsync(prefix).ConfigureAwait(false);
            if (accept(hops))
            {
                return (hops, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            }

            await Task.Delay(5).ConfigureAwait(false);
        }

        var summary = (await VtyshAsync("show bgp summary").ConfigureAwait(false)).StdOut;
        throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"next hops of {prefix} in {Pathspace} after {timeout.TotalSeconds:0.#} s: [{string.Join(", ", hops)}]{Environment.NewLine}{summary}"));
    }

    /// <summary>
    /// A router's frr.conf: eBGP from <paramref name="asn"/> to every neighbour (in <paramref name="neighborAsn"/>), BFD
    /// at <paramref name="bfdInterval"/> × <paramref name="bfdMultiplier"/>, ECMP over up to 8 paths; IPv6 neighbours
    /// (<paramref name="neighbors6"/>) in the IPv6 unicast family; a TCP MD5 <paramref name="password"/> on every one.
    /// </summary>
    public static string RouterConfig(long asn, IPAddress routerId, IEnumerable<IPAddress> neighbors, long neighborAsn, TimeSpan bfdInterval, int bfdMultiplier, IEnumerable<IPAddress>? neighbors6 = null, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(neighbors);
        var ms = (long)bfdInterval.TotalMilliseconds;
        var lines = new List<string>
        {
            "frr defaults datacenter",
            "hostname lab-router",
            "bfd",
            " profile lab",
            $"  transmit-interval {ms}",
            $"  receive-interval {ms}",
            $"  detect-multiplier {bfdMultiplier}",
            " exit",
            "exit",
            $"router bgp {asn}",
            $" bgp router-id {routerId}",
            " no bgp ebgp-requires-policy",
        };
        var v4 = neighbors.ToList();
        var v6 = neighbors6?.ToList() ?? [];
        foreach (var neighbor in v4.Concat(v6))
        {
            lines.Add($" neighbor {neighbor} remote-as {neighborAsn}");
            lines.Add($" neighbor {neighbor} bfd profile lab");
            lines.Add($" neighbor {neighbor} timers 1 3");
            if (password is not null)
            {
                lines.Add($" neighbor {neighbor} password {password}");
            }
        }

        lines.AddRange([" address-family ipv4 unicast", "  maximum-paths 8", .. v4.Select(n => $"  neighbor {n} activate"), " exit-address-family"]);
        if (v6.Count > 0)
        {
            lines.AddRange([" address-family ipv6 unicast", "  maximum-paths 8", .. v6.Select(n => $"  neighbor {n} activate"), " exit-address-family"]);
        }

        lines.AddRange(["exit", string.Empty]);
        return string.Join('\n', lines).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A node's frr.conf before vipd configures it: only the datacenter defaults (vipd adds its objects).</summary>
    public static string NodeConfig() => "frr defaults datacenter\n";

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Host.Network.Disown(this);
        await KillAsync().ConfigureAwait(false);
        foreach (var directory in new[] { ConfigDirectory, RunDirectory })
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private string PidFile(string daemon) => Path.Combine(RunDirectory, $"{daemon}.pid");

    private int PidOf(string daemon)
    {
        try
        {
            return int.TryParse(File.ReadAllText(PidFile(daemon)).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
