using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vipd.Api;
using Vipd.Checks;
using Vipd.Core.Cluster;
using Vipd.Core.Config;
using Vipd.Core.Crypto;
using Vipd.Core.Nodes;
using Vipd.Core.Reconcile;
using Vipd.Linux.Interfaces;
using Vipd.Linux.Neighbor;
using Vipd.Linux.Netlink;
using Vipd.Metrics;
using Vipd.Notify;
using Vipd.Transport;

namespace Vipd.Hosting;

/// <summary>
/// One node: membership (SWIM over UDP) → election (ClusterNode) → announcer (netlink + ARP/NA). Starts by removing
/// VIPs a crashed predecessor left behind, signals READY once joined and settled, and on stop hands over first
/// (peers elect successors, which announce while this node still answers), then unbinds and leaves.
/// </summary>
internal sealed partial class NodeService : IHostedService, IDisposable
{
    /// <summary>How long start-up waits for a first peer before serving alone (peers may still be booting).</summary>
    private static readonly TimeSpan JoinWait = TimeSpan.FromSeconds(2);

    private readonly VipdConfig _initialConfig;
    private readonly Keyring _keyring;

    /// <summary>SHA-256 of the key file as it was at start: a reload compares it to say "restart needed".</summary>
    private readonly string _keyDigest;
    private readonly UdpTransport _transport;
    private readonly NetlinkAddressManager _addresses;
    private readonly SystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private SerialExecutor? _executor;
    private SerialExecutor? _gossip;
    private Node? _node;
    private LivenessMonitor? _liveness;
    private int _failed;
    private readonly NotifyRunner _notify;
    private readonly NodeMetrics _metrics = new();
    private readonly Dictionary<string, long> _electedAt = new(StringComparer.Ordinal);
    private MetricsServer? _metricsServer;
    private CheckMonitor? _checks;
    private ApiServer? _api;
    private Bgp.FrrSync? _frr;

    public NodeService(VipdConfig config, Keyring keyring, UdpTransport transport, NetlinkAddressManager addresses, SystemdNotifier notifier, TimeProvider time, ILoggerFactory loggers)
    {
        _initialConfig = config;
        _keyring = keyring;
        _keyDigest = KeyDigest(config.Cluster.KeyFile);
        _transport = transport;
        _addresses = addresses;
        _notifier = notifier;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger("Vipd.Node");
        _notify = new NotifyRunner(config.Node.Name, loggers.CreateLogger("Vipd.Notify"));
        _startedAt = time.GetUtcNow();
        _configLoadedAt = _startedAt;
        _configDigest = DigestOf(config.SourcePath);
        Events = new EventHub(time);
    }

    /// <summary>
    /// Raised once, on the failing or monitoring thread, when a loop died or stayed silent too long (logged at Error):
    /// the host should stop (the stop skips the handover and unbinds at once) and exit with <see cref="ExitCodes.Internal"/>.
    /// </summary>
    public event Action? Failed;

    /// <summary>True once <see cref="Failed"/> was raised.</summary>
    public bool HasFailed => Volatile.Read(ref _failed) != 0;

    /// <summary>The config in use.</summary>
    private VipdConfig Config => _node?.Config ?? _initialConfig;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var config = _initialConfig;
        StartupTrace.Mark("start-async");
        _executor = new SerialExecutor("vipd-node", ex => LogReactionFailed(_logger, ex));
        _gossip = new SerialExecutor("vipd-gossip", ex => LogReactionFailed(_logger, ex));
        StartupTrace.Mark("t-executors");
        var announcer = new NeighborAnnouncer();
        StartupTrace.Mark("t-neighbor-announcer");
        var monitor = new NetlinkMonitor(_loggers.CreateLogger<NetlinkMonitor>());
        StartupTrace.Mark("t-netlink-monitor");
        var conflicts = new ConflictMonitor(_time, _loggers.CreateLogger<ConflictMonitor>());
        StartupTrace.Mark("t-conflict-monitor");
        var ports = new NodePorts(_transport, _addresses, announcer, monitor, conflicts);
        var intents = LoadIntents(config);
        StartupTrace.Mark("t-intents");
        var node = new Node(config, _keyring, ports, _executor, _time, new Random(), _loggers, intents, gossipLoop: _gossip);
        StartupTrace.Mark("node-built");
        var leftovers = node.CleanupLeftovers();
        StartupTrace.Mark("leftovers-cleaned");
        if (leftovers > 0)
        {
            LogLeftoversRemoved(_logger, leftovers);
        }

        WarnAboutHostSettings(config);
        StartPersister(node, config);
        StartupTrace.Mark("host-settings-persister");
        node.Transition += t => _notify.Run(t);
        node.AnnouncerChanged += OnAnnouncerChanged;
        node.OwnershipChanged += OnOwnershipChanged;
        node.OwnershipChanged += OnOwnershipChangedForEvents;
        node.MemberChanged += OnMemberChangedForEvents;
        node.IntentsChanged += OnIntentsChangedForEvents;
        node.DynamicVipRefused += (vip, reason) => LogDynamicVipRefused(_logger, vip, reason);
        foreach (var (vip, reason) in node.RefusedDynamicVips)
        {
            LogDynamicVipRefused(_logger, vip, reason);
        }

        _node = node;
        if (config.Bgp is not null)
        {
            // FRR gets vipd's objects before the first BGP VIP goes onto lo (either order works: FRR redistributes
            // an address whenever its route-map appears).
            _frr = StartFrrSync();
            _frr.Update(config.Bgp, node.Vips.ByName.Values.Select(v => v.Config));
        }

        StartChecks(config);
        StartupTrace.Mark("checks");

        // Every datagram is an input of the gossip loop; the socket's buffer is reused, so the loop gets a copy.
        var executor = _executor;
        var gossip = _gossip;
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _transport.Start((datagram, from) =>
        {
            var copy = datagram.ToArray();
            gossip.Post(() =>
            {
                node.OnDatagram(copy, from);
                if (!joined.Task.IsCompleted && node.Membership.IsJoined)
                {
                    joined.TrySetResult(); // a seed answered the join's push/pull: the start-up wait ends now
                }
            });
        }, StartLiveness(executor, gossip, node));
        executor.Post(() =>
        {
            node.Start([.. config.Cluster.Peers]);
            StartupTrace.Mark("node-started");
            if (node.Membership.IsJoined)
            {
                joined.TrySetResult(); // no seed but itself
            }
        });
        StartupTrace.Mark("join-sent");

        // The API and metrics sockets are bound while the join's answer is on its way (a round trip to a seed and its
        // push/pull, ~1-3 ms that used to follow them): both listen before READY=1, as systemd's ordering needs.
        await StartApiAsync().ConfigureAwait(false);
        StartupTrace.Mark("api-listening");
        if (config.Metrics.Address is { } metricsAddress)
        {
            try
            {
                _metricsServer = MetricsServer.Start(metricsAddress, RenderMetrics, _loggers.CreateLogger<MetricsServer>());
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                // The VIPs matter more than their metrics: serve without them, loudly.
                LogMetricsOff(_logger, metricsAddress, ex.SocketErrorCode.ToString());
            }
        }

        StartupTrace.Mark("metrics");

        // Ready once this node has heard the cluster's state from a live peer (a seed answered the join's push/pull,
        // which carries every member and its record) and its first election ran; a lone first node waits at most
        // JoinWait for a peer. No fixed sleep: claims are guarded by the election itself (ClusterOptions.StartupGrace
        // holds this node's takeovers until it has heard every expected node or the grace ends).
        // A stop during this wait (SIGTERM while starting) ends the wait, not the daemon: StopAsync still hands over.
        if (config.Cluster.Peers.Count > 0 && !node.Membership.IsJoined)
        {
            try
            {
                await joined.Task.WaitAsync(JoinWait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // Alone (no seed answered within JoinWait) or stopping: serve with what this node knows.
            }
        }

        StartupTrace.Mark("joined");
        executor.Invoke(node.ApplyDesiredNow, TimeSpan.FromSeconds(5));
        StartupTrace.Mark("applied");
        var members = node.Membership.Members.Count(m => m.IsLive);
        var elapsed = (long)_time.GetElapsedTime(started).TotalMilliseconds;
        LogReady(_logger, config.Node.Name, config.Node.EndPoint, members, config.Vips.Count, elapsed);
        _notifier.Ready($"serving {config.Vips.Count} VIPs with {members} live members");
        StartupTrace.Mark("notified");
        _liveness?.Start();
        _ = ReleaseStartupPagesAsync();
        StartupTrace.Flush();
    }

    /// <summary>
    /// When start-up is over (the election's start-up grace after ready: first claims, announcements and reconciles
    /// done), gives back what start-up alone used: its code and read-only data pages (StartupPages) and its garbage
    /// (config, host, first election): one aggressive, compacting GC leaves the heap at its live set and decommits the
    /// rest, so an idle node keeps only its gen0 budget above that (a few ms, once, on the thread pool).
    /// </summary>
    private async Task ReleaseStartupPagesAsync()
    {
        await Task.Delay(ClusterOptions.DefaultStartupGrace, _time).ConfigureAwait(false);
        if (_node is null || HasFailed)
        {
            return;
        }

        var result = StartupPages.Release();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        LogStartupPagesReleased(_logger, result.Mappings, result.ResidentKiB / 1024.0, result.Error ?? "none");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _liveness?.Dispose(); // stopping: no more pings, no staleness exits (the stop is bounded by itself)
        _notifier.Stopping(HasFailed ? "a loop failed; releasing VIPs" : "handing over");
        _api?.SetNotServing();
        if (_node is { } node && _executor is { } executor)
        {
            var started = _time.GetTimestamp();
            executor.Invoke(node.BeginDrain, TimeSpan.FromSeconds(5));
            // A failed node skips the wait: deaf or wedged, it would not see its successors' claims anyway.
            var limit = HasFailed ? TimeSpan.Zero : ClusterOptions.DefaultHandoverTimeout + TimeSpan.FromSeconds(1);
            while (!node.Cluster.HandoverComplete && _time.GetElapsedTime(started) < limit && !cancellationToken.IsCancellationRequested)
            {
                // Nobody else can take what this node holds (alone, or no other node eligible): nothing to wait for.
                if (node.Announcer.Held.All(vip => node.Cluster.Explain(vip).Owner is null))
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(5), _time, CancellationToken.None).ConfigureAwait(false);
            }

            // BGP: a VIP handed over stays advertised until the successor's route has reached the routers.
            var lingering = true;
            for (var i = 0; i < 200 && lingering && !HasFailed && !cancellationToken.IsCancellationRequested; i++)
            {
                executor.Invoke(() => lingering = node.BgpLingering, TimeSpan.FromSeconds(1));
                if (lingering)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(10), _time, CancellationToken.None).ConfigureAwait(false);
                }
            }

            IReadOnlyList<NotifyTransition> stops = [];
            executor.Invoke(() =>
            {
                node.ReleaseAllAndLeave();
                stops = node.StopTransitions();
            }, TimeSpan.FromSeconds(5));
            await RunStopScriptsAsync(stops).ConfigureAwait(false);

            // BGP: a withdrawn VIP's traffic is accepted until the withdrawal has reached the routers (the announcer's
            // holds); the holds end by themselves, and whatever is left when the process ends is removed by Dispose.
            var holdLimit = Announcer.WithdrawalHold + TimeSpan.FromSeconds(1);
            var holding = _time.GetTimestamp();
            while (node.Announcer.Holding && _time.GetElapsedTime(holding) < holdLimit && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), _time, CancellationToken.None).ConfigureAwait(false);
            }

            if (_frr is not null)
            {
                // vipd's FRR objects stay: with nothing on lo they advertise nothing, and a restart finds them in place.
                await _frr.DisposeAsync().ConfigureAwait(false);
                _frr = null;
            }

            var elapsed = (long)_time.GetElapsedTime(started).TotalMilliseconds;
            LogStopped(_logger, elapsed);
        }

        if (_api is not null)
        {
            await _api.StopAsync(cancellationToken).ConfigureAwait(false);
            await _api.DisposeAsync().ConfigureAwait(false);
            _api = null;
        }
    }

    public void Dispose()
    {
        _liveness?.Dispose();
        _checks?.Dispose();
        _metricsServer?.Dispose();
        _persister?.Dispose();
        _transport.Dispose();
        if (_executor is { } executor && _node is { } node)
        {
            executor.Invoke(node.Dispose, TimeSpan.FromSeconds(5));
        }

        _executor?.Dispose();
        _gossip?.Dispose();
    }

    /// <summary>
    /// SIGHUP / <c>systemctl reload</c>: re-read and validate the config; a bad file is refused with its errors logged
    /// and the running config stays. VIPs that did not change keep their holder: no re-election, no announcements.
    /// Added VIPs are elected, removed ones released, changed ones re-applied. [node], [cluster] and [api] changes
    /// need a restart and are reported, not applied.
    /// </summary>
    public void RequestReload() => _executor?.Post(() => ReloadNow());

    /// <summary>The reload itself, on the loop: SIGHUP and the API's Reload both come here.</summary>
    private Vipd.Api.V1.ReloadResult ReloadNow()
    {
        _notifier.Reloading("reloading the config");
        var running = Config;
        var path = running.SourcePath;
        var (result, digest) = LoadConfig(path);
        if (!result.IsValid)
        {
            LogReloadRefused(_logger, path, result.Errors.Count);
            foreach (var error in result.Errors)
            {
                LogReloadError(_logger, error.ToString());
            }

            _notifier.Ready("config reload refused; running config kept");
            return Reloaded(ApiMapping.Refused(_time.GetUtcNow(), result.Errors));
        }

        var diff = ConfigDiff.Compute(running, result.Config);
        var restart = diff.RestartRequired.Select(t => $"[{t}]").ToList();
        if (KeyDigest(running.Cluster.KeyFile) != _keyDigest)
        {
            // The keyring lives in the membership, built once at start: a changed key file is not read on reload.
            restart.Add($"the key file {running.Cluster.KeyFile}");
        }

        if (restart.Count > 0)
        {
            LogRestartRequired(_logger, string.Join(", ", restart));
        }

        var checksChanged = !diff.ChecksAdded.IsEmpty || !diff.ChecksRemoved.IsEmpty || !diff.ChecksChanged.IsEmpty;
        var vipsChanged = !diff.VipsAdded.IsEmpty || !diff.VipsRemoved.IsEmpty || !diff.VipsChanged.IsEmpty;
        _node!.Reload(result.Config, checksChanged || vipsChanged);
        if (result.Config.Bgp is not null || _frr is not null)
        {
            _frr ??= StartFrrSync();
            _frr.Update(_node.Config.Bgp, _node.Vips.ByName.Values.Select(v => v.Config));
        }

        if (checksChanged)
        {
            StartChecks(_node.Config);
        }

        LogReloaded(_logger, path, diff.VipsAdded.Count, diff.VipsRemoved.Count, diff.VipsChanged.Count);
        _notifier.Ready($"serving {_node.Config.Vips.Count} VIPs");
        _configDigest = digest;
        _configLoadedAt = _time.GetUtcNow();
        var applied = ApiMapping.Applied(_configLoadedAt, digest, diff);
        applied.RestartRequired.AddRange(restart);
        return Reloaded(applied);
    }

    /// <summary>"sha256:…" of the key file's bytes, or why it cannot be read (which differs from any digest).</summary>
    private static string KeyDigest(string path)
    {
        try
        {
            return ApiMapping.Digest(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"unreadable: {ex.Message}";
        }
    }

    private Vipd.Api.V1.ReloadResult Reloaded(Vipd.Api.V1.ReloadResult result)
    {
        _lastReload = result;
        Events.Publish(new Vipd.Api.V1.WatchEvent { Reload = result });
        return result;
    }

    /// <summary>Serves the API; a socket that cannot be served is logged and the node runs without its API (the VIPs matter more).</summary>
    private async Task StartApiAsync()
    {
        try
        {
            // Not cancellable: a SIGTERM during start ends the start-up waits, not the API (StopAsync stops it after the handover).
            _api = await ApiServer.StartAsync(Config.Api, this, _loggers, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            LogApiOff(_logger, Config.Api.Socket, ex.Message);
        }
    }

    /// <summary>On the loop: the takeover metric and the Watch stream's mode events.</summary>
    private void OnAnnouncerChanged(AnnouncerEvent change)
    {
        if (change.Kind == AnnouncerEventKind.Acquired && change.Name is { } acquired && _electedAt.Remove(acquired, out var elected))
        {
            _metrics.Takeover.Observe(_time.GetElapsedTime(elected));
        }

        if (change.Name is { } name && _node?.Vips.Find(name) is { Mode: VipMode.Bgp })
        {
            if (change.Kind == AnnouncerEventKind.Acquired)
            {
                _metrics.Advertised();
            }
            else if (change.Kind == AnnouncerEventKind.Released)
            {
                _metrics.Withdrawn();
            }
        }

        OnAnnouncerChangedForEvents(change);
    }

    /// <summary>On the loop.</summary>
    private void OnOwnershipChanged(OwnershipChange change)
    {
        _metrics.OwnershipTransition();
        if (change.To == Config.Node.Name)
        {
            _electedAt[change.Vip] = _time.GetTimestamp();
        }
    }

    private string RenderMetrics()
    {
        var node = _node!;
        return _metrics.Render(
            Config.Node.Name,
            node.Announcer.Held,
            node.Membership.Members,
            node.Announcer.Counters,
            node.Membership.Drops,
            node.Membership.Traffic,
            _transport.SendFailures,
            [.. (_checks?.Current.Values ?? []).Select(c => (c.Name, c.Passing, c.Duration.TotalSeconds))],
            node.Cluster.DisagreeingPeers.Count,
            node.Cluster.BadRecords,
            (node.RefusedDynamicVips.Count, node.DynamicVipRefusals))
            + (Config.Bgp is null ? string.Empty : _metrics.RenderBgp(node.Announcer.Held.Where(node.Advertises), _frr?.Applies ?? 0, _frr?.Failures ?? 0, _frr?.InSync ?? false, _frr?.EstablishedSessions ?? -1, (_frr?.TransientReadFailures ?? 0, _frr?.DefiniteReadFailures ?? 0)));
    }

    /// <summary>(Re)starts the health checks of the current config; each result goes to the node's loop.</summary>
    /// <summary>The FRR sync; the sessions' state it reads goes to the node's loop (BGP VIPs' eligibility).</summary>
    private Bgp.FrrSync StartFrrSync()
    {
        var frr = new Bgp.FrrSync(_loggers.CreateLogger("Vipd.Bgp"), _time);
        frr.SessionChanged += state => _executor?.Post(() => _node?.SetBgpSessions(state));
        return frr;
    }

    private void StartChecks(VipdConfig config)
    {
        _checks?.Dispose();
        _checks = null;
        if (config.Checks.Count == 0)
        {
            return;
        }

        var monitor = new CheckMonitor([.. config.Checks], _time, _loggers.CreateLogger<CheckMonitor>(), name => _addresses.FindLink(name)?.IsUp == true);
        monitor.Changed += _ => _executor?.Post(() => _node?.SetChecks(monitor.Current));
        monitor.Changed += OnCheckChangedForEvents;
        _checks = monitor;
        monitor.Start();
    }

    /// <summary>STOP scripts after the handover, waited for up to their timeout (capped) so systemd does not kill them.</summary>
    private async Task RunStopScriptsAsync(IReadOnlyList<NotifyTransition> stops)
    {
        var scripts = stops.Select(_notify.Run).OfType<Task>().ToArray();
        if (scripts.Length > 0)
        {
            await Task.WhenAny(Task.WhenAll(scripts), Task.Delay(TimeSpan.FromSeconds(5), _time)).ConfigureAwait(false);
        }
    }

    /// <summary>Settings vipd does not change on the operator's host but that can hurt: said once at start.</summary>
    private void WarnAboutHostSettings(VipdConfig config)
    {
        // Without promote_secondaries, deleting the primary address of a subnet deletes every secondary one with it:
        // releasing one VIP could drop the others held in the same subnet. Only VIPs outside the node's own subnets
        // can be a primary address.
        var own = _addresses.ListAddresses().Where(a => !a.AddedByVipd && a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToList();
        foreach (var name in config.Vips.Where(v => !v.IsIPv6 && !InOwnSubnet(v, own)).Select(v => v.Interface).Distinct(StringComparer.Ordinal))
        {
            if (InterfaceSysctl.PromoteSecondaries(name) == false)
            {
                LogPromoteSecondariesOff(_logger, $"net.ipv4.conf.{name}.promote_secondaries", name);
            }
        }
    }

    private bool InOwnSubnet(VipConfig vip, IReadOnlyList<InterfaceAddress> own)
    {
        var link = _addresses.FindLink(vip.Interface);
        return link is not null && own.Any(a => a.InterfaceIndex == link.Index && SameSubnet(a.Address, vip.Address, a.PrefixLength));
    }

    private static bool SameSubnet(System.Net.IPAddress a, System.Net.IPAddress b, int prefixLength)
    {
        var x = a.GetAddressBytes();
        var y = b.GetAddressBytes();
        for (var bit = 0; bit < prefixLength && bit < x.Length * 8; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((x[bit / 8] & mask) != (y[bit / 8] & mask))
            {
                return false;
            }
        }

        return x.Length == y.Length;
    }

    /// <summary>
    /// The liveness monitor over the node loop, the gossip loop, the membership timers and the receive loop; WATCHDOG=1
    /// while all beat, when systemd asked for it. Returns the receive loop's heartbeat. Checks start once ready.
    /// </summary>
    private Heartbeat StartLiveness(SerialExecutor executor, SerialExecutor gossip, Node node)
    {
        var watchdog = SystemdNotifier.WatchdogInterval(
            Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
            Environment.GetEnvironmentVariable("WATCHDOG_PID"),
            Environment.ProcessId);
        Action ping = watchdog is not null && _notifier.IsActive ? _notifier.Watchdog : static () => { };
        _liveness = new LivenessMonitor(LivenessOptions.For(watchdog), _time, _loggers.CreateLogger<LivenessMonitor>(), ping, OnLivenessLost);
        _liveness.Register("node-loop", beat => executor.Post(beat.Beat));
        _liveness.Register("gossip-loop", beat => gossip.Post(beat.Beat));
        var timerRuns = -1L;
        _liveness.Register("membership-timers", beat =>
        {
            // Checks run one at a time, so the last seen count needs no lock.
            var runs = node.Membership.TimerRuns;
            if (runs != timerRuns)
            {
                timerRuns = runs;
                beat.Beat();
            }
        });
        return _liveness.Register("gossip-receive");
    }

    private void OnLivenessLost(string reason)
    {
        if (Interlocked.Exchange(ref _failed, 1) == 0)
        {
            _notifier.Status($"exiting: {reason}");
            Failed?.Invoke();
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Node {Node} ready on {Address}: {Members} live members, {Vips} VIPs configured, {ElapsedMs} ms")]
    private static partial void LogReady(ILogger logger, string node, System.Net.IPEndPoint address, int members, int vips, long elapsedMs);

    [LoggerMessage(EventId = 125, Level = LogLevel.Debug, Message = "Unmapped start-up pages: {Mappings} clean read-only file mappings, {ResidentMiB:F1} MiB resident before (error: {Error})")]
    private static partial void LogStartupPagesReleased(ILogger logger, int mappings, double residentMiB, string error);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Removed {Count} VIP addresses left behind by a previous run")]
    private static partial void LogLeftoversRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Stopped: handed over, unbound and left the cluster in {ElapsedMs} ms")]
    private static partial void LogStopped(ILogger logger, long elapsedMs);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "{Setting} is 0 and a VIP on {Interface} is outside every subnet this node has its own address in: releasing the first such VIP of a subnet removes the others of that subnet too; set it to 1")]
    private static partial void LogPromoteSecondariesOff(ILogger logger, string setting, string @interface);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information, Message = "Reloaded {Path}: {Added} VIPs added, {Removed} removed, {Changed} changed; unchanged VIPs keep their holder")]
    private static partial void LogReloaded(ILogger logger, string path, int added, int removed, int changed);

    [LoggerMessage(EventId = 107, Level = LogLevel.Error, Message = "Reload refused: {Path} has {Count} errors; the running config stays")]
    private static partial void LogReloadRefused(ILogger logger, string path, int count);

    [LoggerMessage(EventId = 108, Level = LogLevel.Error, Message = "{ConfigError}")]
    private static partial void LogReloadError(ILogger logger, string configError);

    [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "Reload: changes to {Tables} need a restart (systemctl restart vipd); they were not applied")]
    private static partial void LogRestartRequired(ILogger logger, string tables);

    [LoggerMessage(EventId = 110, Level = LogLevel.Error, Message = "Cannot serve metrics on {Address} ({Reason}); running without metrics")]
    private static partial void LogMetricsOff(ILogger logger, System.Net.IPEndPoint address, string reason);

    [LoggerMessage(EventId = 111, Level = LogLevel.Error, Message = "Cannot serve the API on {Socket} ({Reason}); running without it")]
    private static partial void LogApiOff(ILogger logger, string socket, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "A reconcile step failed; the next change or refresh retries it")]
    private static partial void LogReactionFailed(ILogger logger, Exception exception);
}
