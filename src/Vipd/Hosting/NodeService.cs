using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vipd.Api;
using Vipd.Checks;
using Vipd.Core.Cluster;
using Vipd.Core.Config;
using Vipd.Core.Crypto;
using Vipd.Core.Intents;
using Vipd.Core.Membership;
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

    private VipdConfig _config;
    private readonly Keyring _keyring;
    private readonly UdpTransport _transport;
    private readonly NetlinkAddressManager _addresses;
    private readonly SystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private Dictionary<string, VipConfig> _vips;
    private Dictionary<string, CheckConfig> _checkConfigs;
    private SerialExecutor? _executor;
    private Announcer? _announcer;
    private SwimMembership? _membership;
    private ClusterNode? _cluster;
    private NetlinkMonitor? _linkMonitor;
    private LivenessMonitor? _liveness;
    private int _failed;
    private readonly NotifyRunner _notify;
    private volatile bool _stopping;
    private readonly NodeMetrics _metrics = new();
    private readonly Dictionary<string, long> _electedAt = new(StringComparer.Ordinal);
    private MetricsServer? _metricsServer;
    private CheckMonitor? _checks;
    private ApiServer? _api;

    public NodeService(VipdConfig config, Keyring keyring, UdpTransport transport, NetlinkAddressManager addresses, SystemdNotifier notifier, TimeProvider time, ILoggerFactory loggers)
    {
        _intents = new IntentStore(config.Node.Name, time, logger: loggers.CreateLogger<IntentStore>());
        UseConfig(config);
        _keyring = keyring;
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

    /// <summary>Membership timings from the config (its defaults are the membership's own).</summary>
    public static MembershipOptions MembershipOptionsFor(ClusterConfig cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        var baseline = cluster.Profile == MembershipProfile.Fast ? MembershipOptions.Fast : MembershipOptions.Default;
        return baseline with
        {
            ProbeInterval = cluster.ProbeInterval,
            ProbeTimeout = cluster.ProbeTimeout,
            IndirectChecks = cluster.IndirectChecks,
            SuspicionMinimum = cluster.SuspicionMin,
            SuspicionMaximumMultiplier = Math.Max(1, (int)Math.Round(cluster.SuspicionMax / cluster.SuspicionMin)),
            GossipInterval = cluster.GossipInterval,
            GossipFanout = cluster.GossipFanout,
            PushPullInterval = cluster.PushPullInterval,
            IndirectProbeTimeout = cluster.IndirectProbeTimeout,
            ReconnectInterval = cluster.ReconnectInterval,
        };
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        _executor = new SerialExecutor("vipd-reconcile", ex => LogReactionFailed(_logger, ex));
        _announcer = new Announcer(
            _addresses,
            new NeighborAnnouncer(),
            new NetlinkMonitor(_loggers.CreateLogger<NetlinkMonitor>()),
            new ConflictMonitor(_time, _loggers.CreateLogger<ConflictMonitor>()),
            _time,
            _loggers.CreateLogger<Announcer>());
        var leftovers = _announcer.CleanupAll();
        if (leftovers > 0)
        {
            LogLeftoversRemoved(_logger, leftovers);
        }

        WarnAboutHostSettings();
        _announcer.Changed += OnAnnouncerChanged;
        _announcer.Changed += OnAnnouncerChangedForEvents;
        _announcer.Start();

        var options = MembershipOptionsFor(_config.Cluster);
        _membership = new SwimMembership(_config.Node.Name, _config.Node.EndPoint, options, _transport, _keyring, _time, new Random(), _loggers.CreateLogger<SwimMembership>());
        _cluster = new ClusterNode(
            _config.Node.Name,
            new ClusterOptions(_config.Cluster.Quorum, _config.Cluster.ExpectedNodes, ClusterOptions.DefaultHandoverTimeout),
            _membership,
            _time,
            _loggers.CreateLogger<ClusterNode>());
        _announcer.Defends = _cluster.Defends;
        LoadIntents();
        _replicator = new IntentReplicator(_intents, _membership, _time, new Random(), _loggers.CreateLogger<IntentReplicator>());
        _replicator.Start();
        _cluster.SetVips(AllSpecs());
        _cluster.DesiredChanged += desired => _executor.Post(() => ApplyDesired(desired));
        _cluster.ReannounceRequested += name => _executor.Post(() => _announcer.Reannounce(name));
        _cluster.OwnershipChanged += OnOwnershipChanged;
        _cluster.OwnershipChanged += OnOwnershipChangedForEvents;
        _membership.Changed += OnMemberChangedForEvents;
        StartChecks();
        // On the executor like every later publish: a direct call here raced the first check result's publish and
        // could overwrite it with the older "check has not run yet" verdict (the node then stayed ineligible).
        _executor.Post(PublishLocalState);
        await StartApiAsync().ConfigureAwait(false);

        _linkMonitor = new NetlinkMonitor(_loggers.CreateLogger<NetlinkMonitor>());
        _linkMonitor.Start(change =>
        {
            if (change.Kind is NetworkChangeKind.LinkChanged or NetworkChangeKind.LinkRemoved)
            {
                _executor.Post(PublishLocalState);
            }
        });

        if (_config.Metrics.Address is { } metricsAddress)
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

        _transport.Start(_membership.OnDatagram, StartLiveness(_executor, _membership));
        _membership.Start([.. _config.Cluster.Peers]);

        // Settle: wait (bounded) for a first peer, then one probe round so the first election runs on a real view.
        // A stop during this wait (SIGTERM while starting) ends the wait, not the daemon: StopAsync still hands over.
        var deadline = _time.GetTimestamp();
        while (!_membership.IsJoined && _config.Cluster.Peers.Count > 0 && _time.GetElapsedTime(deadline) < JoinWait && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, CancellationToken.None).ConfigureAwait(false);
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(options.ProbeInterval * 2, _time, CancellationToken.None).ConfigureAwait(false);
        }

        _executor.Post(() => ApplyDesired(_cluster.Desired));
        var members = _membership.Members.Count(m => m.IsLive);
        var elapsed = (long)_time.GetElapsedTime(started).TotalMilliseconds;
        LogReady(_logger, _config.Node.Name, _config.Node.EndPoint, members, _config.Vips.Count, elapsed);
        _notifier.Ready($"serving {_config.Vips.Count} VIPs with {members} live members");
        _liveness?.Start();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _liveness?.Dispose(); // stopping: no more pings, no staleness exits (the stop is bounded by itself)
        _notifier.Stopping(HasFailed ? "a loop failed; releasing VIPs" : "handing over");
        _api?.SetNotServing();
        if (_cluster is not null && _announcer is not null && _executor is not null && _membership is not null)
        {
            var started = _time.GetTimestamp();
            _cluster.BeginHandover();
            // A failed node skips the wait: deaf or wedged, it would not see its successors' claims anyway.
            var limit = HasFailed ? TimeSpan.Zero : ClusterOptions.DefaultHandoverTimeout + TimeSpan.FromSeconds(1);
            while (!_cluster.HandoverComplete && _time.GetElapsedTime(started) < limit && !cancellationToken.IsCancellationRequested)
            {
                // Nobody else can take what this node holds (alone, or no other node eligible): nothing to wait for.
                if (_announcer.Held.All(vip => _cluster.Explain(vip).Owner is null))
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(5), _time, CancellationToken.None).ConfigureAwait(false);
            }

            _stopping = true; // the releases below are the stop, reported by the STOP scripts, not as BACKUP
            _executor.Invoke(() => _announcer.SetDesired([]), TimeSpan.FromSeconds(5));
            _membership.Leave();
            await RunStopScriptsAsync().ConfigureAwait(false);
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
        _replicator?.Dispose();
        _persister?.Dispose();
        _linkMonitor?.Dispose();
        _membership?.Dispose();
        _cluster?.Dispose();
        _executor?.Dispose();
        _announcer?.Dispose();
        _transport.Dispose();
    }

    /// <summary>
    /// SIGHUP / <c>systemctl reload</c>: re-read and validate the config; a bad file is refused with its errors logged
    /// and the running config stays. VIPs that did not change keep their holder: no re-election, no announcements.
    /// Added VIPs are elected, removed ones released, changed ones re-applied. [node], [cluster] and [api] changes
    /// need a restart and are reported, not applied.
    /// </summary>
    public void RequestReload() => _executor?.Post(() => ReloadNow());

    /// <summary>The reload itself, on the executor: SIGHUP and the API's Reload both come here.</summary>
    private Vipd.Api.V1.ReloadResult ReloadNow()
    {
        _notifier.Reloading("reloading the config");
        var path = _config.SourcePath;
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

        var diff = ConfigDiff.Compute(_config, result.Config);
        if (!diff.RestartRequired.IsEmpty)
        {
            LogRestartRequired(_logger, string.Join(", ", diff.RestartRequired.Select(t => $"[{t}]")));
        }

        // Only what can change live is taken: the VIPs (and their checks, announcements, priorities).
        UseConfig(result.Config with { Node = _config.Node, Cluster = _config.Cluster, Api = _config.Api });
        var checksChanged = !diff.ChecksAdded.IsEmpty || !diff.ChecksRemoved.IsEmpty || !diff.ChecksChanged.IsEmpty;
        if (checksChanged)
        {
            StartChecks();
        }

        if (checksChanged || !diff.VipsAdded.IsEmpty || !diff.VipsRemoved.IsEmpty || !diff.VipsChanged.IsEmpty)
        {
            _cluster!.SetVips(AllSpecs());
            PublishLocalState();
            ApplyDesired(_cluster.Desired);
        }

        LogReloaded(_logger, path, diff.VipsAdded.Count, diff.VipsRemoved.Count, diff.VipsChanged.Count);
        _notifier.Ready($"serving {_config.Vips.Count} VIPs");
        _configDigest = digest;
        _configLoadedAt = _time.GetUtcNow();
        return Reloaded(ApiMapping.Applied(_configLoadedAt, digest, diff));
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
            _api = await ApiServer.StartAsync(_config.Api, this, _loggers, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            LogApiOff(_logger, _config.Api.Socket, ex.Message);
        }
    }

    private void ApplyDesired(IReadOnlySet<string> desired)
    {
        var owned = new List<OwnedVip>(desired.Count);
        foreach (var name in desired)
        {
            if (_vips.TryGetValue(name, out var vip))
            {
                owned.Add(new OwnedVip(name, new VipBinding(vip.Address, vip.PrefixLength, vip.Interface), PolicyFor(vip.Announce)));
            }
        }

        _announcer!.SetDesired(owned);
        _cluster!.ReportHeld(_announcer.Held);
    }

    private void OnAnnouncerChanged(AnnouncerEvent change)
    {
        if (change.Kind == AnnouncerEventKind.Acquired && change.Name is { } acquired)
        {
            ObserveTakeover(acquired);
        }

        if (change.Kind is AnnouncerEventKind.Acquired or AnnouncerEventKind.Released)
        {
            _executor?.Post(() =>
            {
                _cluster?.ReportHeld(_announcer!.Held);
                if (!_stopping && change.Name is { } name && _vips.TryGetValue(name, out var vip))
                {
                    var state = change.Kind == AnnouncerEventKind.Acquired ? "MASTER" : IsLocallyEligible(vip) ? "BACKUP" : "FAULT";
                    _notify.Transition(vip, state, change.Message ?? change.Kind.ToString());
                }
            });
        }
    }

    private void OnOwnershipChanged(OwnershipChange change)
    {
        _metrics.OwnershipTransition();
        if (change.To == _config.Node.Name)
        {
            lock (_electedAt)
            {
                _electedAt[change.Vip] = _time.GetTimestamp();
            }
        }
    }

    private void ObserveTakeover(string vip)
    {
        lock (_electedAt)
        {
            if (_electedAt.Remove(vip, out var elected))
            {
                _metrics.Takeover.Observe(_time.GetElapsedTime(elected));
            }
        }
    }

    private string RenderMetrics() => _metrics.Render(
        _config.Node.Name,
        _announcer?.Held ?? [],
        _membership?.Members ?? [],
        _announcer?.Counters ?? default,
        _membership!.Drops,
        _membership.Traffic,
        _transport.SendFailures,
        [.. (_checks?.Current.Values ?? []).Select(c => (c.Name, c.Passing, c.Duration.TotalSeconds))],
        _cluster?.DisagreeingPeers.Count ?? 0);

    /// <summary>The config and the lookups derived from it, replaced together (start and reload).</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_config), nameof(_vips), nameof(_checkConfigs))]
    private void UseConfig(VipdConfig config)
    {
        _config = config;
        _intents.SetReserved(config.Vips.Select(v => v.Name), config.Vips.Select(v => v.Address));
        _vips = config.Vips.ToDictionary(v => v.Name, StringComparer.Ordinal);
        RebuildVips();
        _checkConfigs = config.Checks.ToDictionary(c => c.Name, StringComparer.Ordinal);
    }

    private bool IsLocallyEligible(VipConfig vip) => LocalVerdict(vip, _addresses.FindLink(vip.Interface)).Eligible;

    /// <summary>This node's eligibility and priority for a VIP: its interface is up and its checks allow it.</summary>
    private (bool Eligible, int Priority, string Reason) LocalVerdict(VipConfig vip, LinkInfo? link)
    {
        var verdict = CheckMonitor.Evaluate(vip, _checks?.Current ?? new Dictionary<string, CheckStatus>(), _checkConfigs);
        var priority = Math.Clamp(vip.PriorityOf(_config.Node.Name) + verdict.PriorityShift, ConfigDefaults.MinPriority, ConfigDefaults.MaxPriority);
        return link switch
        {
            null => (false, priority, $"interface {vip.Interface} is gone"),
            { IsUp: false } => (false, priority, $"interface {vip.Interface} is down"),
            _ => (verdict.Eligible, priority, verdict.Reason),
        };
    }

    /// <summary>(Re)starts the health checks of the current config; each result change re-publishes this node's record.</summary>
    private void StartChecks()
    {
        _checks?.Dispose();
        _checks = null;
        if (_config.Checks.Count == 0)
        {
            return;
        }

        var monitor = new CheckMonitor([.. _config.Checks], _time, _loggers.CreateLogger<CheckMonitor>(), name => _addresses.FindLink(name)?.IsUp == true);
        monitor.Changed += _ => _executor?.Post(PublishLocalState);
        monitor.Changed += OnCheckChangedForEvents;
        _checks = monitor;
        monitor.Start();
    }

    /// <summary>STOP scripts after the handover, waited for up to their timeout (capped) so systemd does not kill them.</summary>
    private async Task RunStopScriptsAsync()
    {
        var scripts = _config.Vips.Select(v => _notify.Transition(v, "STOP", "vipd stopping")).OfType<Task>().ToArray();
        if (scripts.Length > 0)
        {
            await Task.WhenAny(Task.WhenAll(scripts), Task.Delay(TimeSpan.FromSeconds(5), _time)).ConfigureAwait(false);
        }
    }

    /// <summary>This node's own record: per VIP, eligible while its interface is up, with its priority.</summary>
    private void PublishLocalState()
    {
        var states = new Dictionary<string, LocalVipState>(StringComparer.Ordinal);
        var links = _addresses.ListLinks();
        foreach (var vip in _vips.Values)
        {
            var (eligible, priority, reason) = LocalVerdict(vip, links.FirstOrDefault(l => l.Name == vip.Interface));
            states[vip.Name] = new LocalVipState(eligible, priority);
            if (_announcer?.Held.Contains(vip.Name) != true)
            {
                var state = _notify.StateOf(vip.Name);
                if (!eligible)
                {
                    _notify.Transition(vip, "FAULT", reason);
                }
                else if (state is NotifyRunner.Init or "FAULT")
                {
                    _notify.Transition(vip, "BACKUP", state == NotifyRunner.Init ? "started" : reason);
                }
            }
        }

        _cluster!.SetLocalState(_maintenance, states);
    }

    /// <summary>Settings vipd does not change on the operator's host but that can hurt: said once at start.</summary>
    private void WarnAboutHostSettings()
    {
        // Without promote_secondaries, deleting the primary address of a subnet deletes every secondary one with it:
        // releasing one VIP could drop the others held in the same subnet. Only VIPs outside the node's own subnets
        // can be a primary address.
        var own = _addresses.ListAddresses().Where(a => !a.AddedByVipd && a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).ToList();
        foreach (var name in _config.Vips.Where(v => !v.IsIPv6 && !InOwnSubnet(v, own)).Select(v => v.Interface).Distinct(StringComparer.Ordinal))
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

    private static AnnouncementPolicy PolicyFor(AnnounceConfig announce) => AnnouncementPolicy.Default with
    {
        BurstCount = announce.Count,
        BurstInterval = announce.Interval,
        SecondBurstDelay = announce.SecondBurstAfter,
        RefreshInterval = announce.Refresh,
    };

    /// <summary>
    /// The liveness monitor over the three loops (gossip receive, reconcile executor, membership timers); WATCHDOG=1
    /// while all beat, when systemd asked for it. Returns the receive loop's heartbeat. Checks start once ready.
    /// </summary>
    private Heartbeat StartLiveness(SerialExecutor executor, SwimMembership membership)
    {
        var watchdog = SystemdNotifier.WatchdogInterval(
            Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
            Environment.GetEnvironmentVariable("WATCHDOG_PID"),
            Environment.ProcessId);
        Action ping = watchdog is not null && _notifier.IsActive ? _notifier.Watchdog : static () => { };
        _liveness = new LivenessMonitor(LivenessOptions.For(watchdog), _time, _loggers.CreateLogger<LivenessMonitor>(), ping, OnLivenessLost);
        _liveness.Register("reconcile", beat => executor.Post(beat.Beat));
        var timerRuns = -1L;
        _liveness.Register("membership-timers", beat =>
        {
            // Checks run one at a time, so the last seen count needs no lock.
            var runs = membership.TimerRuns;
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

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Removed {Count} VIP addresses left behind by a previous run")]
    private static partial void LogLeftoversRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 102, Level = LogLevel.Information, Message = "Stopped: handed over, unbound and left the cluster in {ElapsedMs} ms")]
    private static partial void LogStopped(ILogger logger, long elapsedMs);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "{Setting} is 0 and a VIP on {Interface} is outside every subnet this node has its own address in: releasing the first such VIP of a subnet removes the others of that subnet too; set {Setting}=1")]
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
