using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Core.Checks;
using Vipd.Core.Cluster;
using Vipd.Core.Config;
using Vipd.Core.Crypto;
using Vipd.Core.Election;
using Vipd.Core.Intents;
using Vipd.Core.Membership;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Nodes;

/// <summary>
/// One node, the only owner of its state: the membership, the merged VIP set (config file + dynamic VIPs), the
/// election (<see cref="ClusterNode"/>), what is bound and announced (<see cref="Reconcile.Announcer"/>), maintenance
/// and drain, and the check and link verdicts. Every input runs on one <see cref="INodeLoop"/>: datagrams
/// (<see cref="OnDatagram"/>), the components' timers (through a <see cref="LoopTimeProvider"/>), kernel and conflict
/// notifications (posted by the monitors' adapters), check results, API commands and reloads. The effects leave
/// through the <see cref="NodePorts"/> (datagrams, addresses, announcements) and as events raised on the loop
/// (notify transitions, ownership, announcer and member changes, intent changes). The host only does I/O and
/// translation; a simulation drives the same class with a fake kernel and a simulated segment.
/// </summary>
/// <remarks>
/// Methods that change state must be called on the loop (the host posts or invokes them there); the read-only
/// properties may be read from any thread (the components' getters take their own short locks; the VIP set is an
/// immutable snapshot).
/// </remarks>
public sealed partial class Node : IDisposable
{
    /// <summary>The source name of VIPs from the config file.</summary>
    public const string ConfigSource = IntentValidation.ConfigSource;

    /// <summary>A VIP's notify state before its first change.</summary>
    public const string InitState = "INIT";

    private readonly INodeLoop _loop;
    private readonly TimeProvider _time;
    private readonly NodePorts _ports;
    private readonly ILogger _logger;
    private readonly LoopNetworkMonitor? _monitor;
    private readonly LoopConflictMonitor? _conflicts;
    private readonly LoopMembership _view;
    private readonly Dictionary<string, string> _notifyStates = new(StringComparer.Ordinal);
    private VipdConfig _config;
    private NodeVipSet _vips;
    private Dictionary<string, CheckConfig> _checkConfigs;
    private StandingModel _standingModel;
    private IReadOnlyDictionary<string, CheckStatus> _checks = new Dictionary<string, CheckStatus>(StringComparer.Ordinal);
    private BgpSessions _bgpSessions;
    private volatile bool _maintenance;
    private volatile bool _draining;
    private bool _settled;
    private HashSet<string> _heldWhenEligible = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lingering = new(StringComparer.Ordinal);
    private ITimer? _lingerTimer;
    private volatile bool _stopping;
    private bool _started;
    private bool _disposed;

    /// <summary>Builds the node and its components; nothing runs until <see cref="Start"/>.</summary>
    /// <param name="config">The validated config.</param>
    /// <param name="keyring">The gossip keys.</param>
    /// <param name="ports">The I/O the node drives.</param>
    /// <param name="loop">The loop every input runs on, the gossip protocol's excepted when <paramref name="gossipLoop"/> is given.</param>
    /// <param name="time">The clock; timers are moved onto <paramref name="loop"/>.</param>
    /// <param name="random">Protocol randomness (probe order, gossip targets).</param>
    /// <param name="loggers">Loggers for the node and its components.</param>
    /// <param name="persisted">Dynamic VIPs and preferences saved by a previous run, if any.</param>
    /// <param name="tuning">Overrides for simulations (timings); null for the config's.</param>
    /// <param name="gossipLoop">
    /// The loop the SWIM protocol runs on (datagrams and its timers); null for <paramref name="loop"/>. The daemon
    /// gives it its own, so an ack never waits behind a netlink batch or a burst of announcements.
    /// </param>
    public Node(VipdConfig config, Keyring keyring, NodePorts ports, INodeLoop loop, TimeProvider time, Random random, ILoggerFactory? loggers = null, IntentSnapshot? persisted = null, NodeTuning? tuning = null, INodeLoop? gossipLoop = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(keyring);
        ArgumentNullException.ThrowIfNull(ports);
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        loggers ??= NullLoggerFactory.Instance;
        _loop = loop;
        _time = new LoopTimeProvider(time, loop);
        _ports = ports;
        _logger = loggers.CreateLogger("Vipd.Node");
        Intents = new IntentStore(config.Node.Name, _time, logger: loggers.CreateLogger<IntentStore>());
        if (persisted is not null)
        {
            Intents.Load(persisted);
        }

        _monitor = ports.Monitor is null ? null : new LoopNetworkMonitor(ports.Monitor, loop, OnNetworkChange);
        _conflicts = ports.Conflicts is null ? null : new LoopConflictMonitor(ports.Conflicts, loop);
        Announcer = new Announcer(ports.Addresses, ports.Neighbors, _monitor, _conflicts, _time, loggers.CreateLogger<Announcer>());
        MembershipOptions = tuning?.Membership ?? MembershipOptionsFor(config.Cluster);
        var gossipTime = gossipLoop is null ? _time : new LoopTimeProvider(time, gossipLoop);
        Membership = new SwimMembership(config.Node.Name, config.Node.EndPoint, MembershipOptions, ports.Transport, keyring, gossipTime, random, loggers.CreateLogger<SwimMembership>());
        _view = new LoopMembership(Membership, loop);
        var clusterOptions = new ClusterOptions(config.Cluster.Quorum, config.Cluster.ExpectedNodes, ClusterOptions.DefaultHandoverTimeout);
        Cluster = new ClusterNode(config.Node.Name, tuning?.Cluster?.Invoke(clusterOptions) ?? clusterOptions, _view, _time, loggers.CreateLogger<ClusterNode>());
        Replicator = new IntentReplicator(Intents, Membership, _time, random, loggers.CreateLogger<IntentReplicator>());
        UseConfig(config);

        Announcer.Defends = Cluster.Defends;
        Announcer.Changed += OnAnnouncerChanged;
        Cluster.DesiredChanged += desired => _loop.Post(() => ApplyDesired(desired));
        Cluster.ReannounceRequested += name => _loop.Post(() => Announcer.Reannounce(name));
        Cluster.OwnershipChanged += change => OwnershipChanged?.Invoke(change);
        _view.Changed += member => MemberChanged?.Invoke(member);
        Intents.Changed += OnIntentsChanged;
    }

    /// <summary>This node's state for a VIP changed: run its notify script. Raised on the loop.</summary>
    public event Action<NotifyTransition>? Transition;

    /// <summary>The elected owner of a VIP changed in this node's view. Raised on the loop.</summary>
    public event Action<OwnershipChange>? OwnershipChanged;

    /// <summary>What the announcer did or met (acquired, released, conflict, error). Raised on the loop.</summary>
    public event Action<AnnouncerEvent>? AnnouncerChanged;

    /// <summary>A member joined, changed state or published a new record. Raised on the loop.</summary>
    public event Action<Member>? MemberChanged;

    /// <summary>The dynamic VIPs or preferences changed, here or on a peer. Raised on the loop.</summary>
    public event Action<IntentChange>? IntentsChanged;

    /// <summary>The membership (SWIM), driven by this node's loop.</summary>
    public SwimMembership Membership { get; }

    /// <summary>The membership timings in use.</summary>
    public MembershipOptions MembershipOptions { get; }

    /// <summary>The election and claims.</summary>
    public ClusterNode Cluster { get; }

    /// <summary>What this node binds and announces.</summary>
    public Announcer Announcer { get; }

    /// <summary>The replicated dynamic VIPs and Move preferences.</summary>
    public IntentStore Intents { get; }

    /// <summary>The replication of <see cref="Intents"/>.</summary>
    public IntentReplicator Replicator { get; }

    /// <summary>The config in use (the VIP tables follow reloads; [node], [cluster] and [api] stay as started).</summary>
    public VipdConfig Config => Volatile.Read(ref _config);

    /// <summary>The merged VIP set now (an immutable snapshot).</summary>
    public NodeVipSet Vips => Volatile.Read(ref _vips);

    /// <summary>The latest check results.</summary>
    public IReadOnlyDictionary<string, CheckStatus> Checks => Volatile.Read(ref _checks);

    /// <summary>The latest state of this node's BGP sessions, as the host read it from FRR (<see cref="SetBgpSessions"/>). On the loop.</summary>
    public BgpSessions BgpSessions => _bgpSessions;

    /// <summary>True while maintenance mode is on.</summary>
    public bool Maintenance => _maintenance;

    /// <summary>True once the stop has begun releasing (releases are then the stop, not a BACKUP transition).</summary>
    public bool Stopping => _stopping;

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

    /// <summary>Removes VIP addresses a previous run left behind (only vipd's own); before <see cref="Start"/>.</summary>
    public int CleanupLeftovers() => Announcer.CleanupAll();

    /// <summary>On the loop: starts the announcer, the replication, publishes this node's record and joins via <paramref name="seeds"/>.</summary>
    public void Start(IReadOnlyList<IPEndPoint> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (_started || _disposed)
        {
            return;
        }

        _started = true;
        Announcer.Start();
        Replicator.Start();
        Cluster.SetVips(Vips.Specs);
        PublishLocalState();
        Membership.Start(seeds);
    }

    /// <summary>On the gossip loop: one received gossip datagram.</summary>
    public void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from)
    {
        if (!_disposed)
        {
            Membership.OnDatagram(datagram, from);
        }
    }

    /// <summary>On the loop: the checks' latest results (after hysteresis); re-derives eligibility and republishes.</summary>
    public void SetChecks(IReadOnlyDictionary<string, CheckStatus> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        Volatile.Write(ref _checks, checks);
        PublishLocalState();
    }

    /// <summary>
    /// On the loop: whether this node's routing engine has a BGP session Established with a configured peer, per
    /// address family. Without one the node is not eligible for that family's BGP VIPs (it could bind them but not
    /// advertise them); re-derives and republishes.
    /// </summary>
    public void SetBgpSessions(BgpSessions sessions)
    {
        if (_bgpSessions != sessions)
        {
            _bgpSessions = sessions;
            PublishLocalState();
        }
    }

    /// <summary>On the loop: turns maintenance mode on or off (peers then elect without this node).</summary>
    public void SetMaintenance(bool enabled)
    {
        _maintenance = enabled;
        PublishLocalState();
    }

    /// <summary>On the loop: a drain (or the stop's handover) begins: peers elect successors, which announce first.</summary>
    /// <remarks>Active-active BGP VIPs have no successor to wait for (the other nodes advertise them already): they are withdrawn at once.</remarks>
    public void BeginDrain()
    {
        _draining = true;
        Cluster.BeginHandover();
        ApplyDesired(Cluster.Desired);
    }

    /// <summary>On the loop: the drain ends; this node may be elected again.</summary>
    public void EndDrain()
    {
        _draining = false;
        Cluster.EndHandover();
        ApplyDesired(Cluster.Desired);
    }

    /// <summary>On the loop: applies the desired set now (after start-up settling).</summary>
    public void ApplyDesiredNow()
    {
        _settled = true;
        ApplyDesired(Cluster.Desired);
    }

    /// <summary>
    /// How long a released active-standby BGP VIP stays advertised after the election moved it (make-before-break):
    /// the successor's route needs one BGP UPDATE to reach the routers (~136 ms measured in the lab with FRR).
    /// </summary>
    public static readonly TimeSpan BgpHandoverLinger = TimeSpan.FromMilliseconds(500);

    /// <summary>True while released BGP VIPs still linger (<see cref="BgpHandoverLinger"/>); the stop waits until none does. On the loop.</summary>
    public bool BgpLingering => _lingering.Count > 0;

    /// <summary>True while this node advertises <paramref name="vip"/> over BGP (it is on its interface); false for an L2 VIP.</summary>
    public bool Advertises(string vip) => Vips.Find(vip) is { Mode: VipMode.Bgp } && Announcer.Held.Contains(vip);

    /// <summary>
    /// On the loop: the stop's last step. Unbinds every VIP (the releases are the stop, reported by
    /// <see cref="StopTransitions"/>, not as BACKUP), then leaves the cluster.
    /// </summary>
    public void ReleaseAllAndLeave()
    {
        _stopping = true;
        Announcer.SetDesired([]);
        Membership.Leave();
    }

    /// <summary>On the loop, after <see cref="ReleaseAllAndLeave"/>: the STOP transition of every VIP of the config file.</summary>
    public IReadOnlyList<NotifyTransition> StopTransitions()
    {
        var transitions = new List<NotifyTransition>();
        foreach (var vip in Config.Vips)
        {
            if (Note(vip, "STOP", "vipd stopping") is { } transition)
            {
                transitions.Add(transition);
            }
        }

        return transitions;
    }

    /// <summary>
    /// On the loop: takes a reloaded config. Only the VIP tables (VIPs, checks, announcements, priorities) change
    /// live; [node], [cluster] and [api] stay as started. VIPs that did not change keep their holder.
    /// </summary>
    public void Reload(VipdConfig config, bool vipsOrChecksChanged)
    {
        ArgumentNullException.ThrowIfNull(config);
        var running = Config;
        UseConfig(config with { Node = running.Node, Cluster = running.Cluster, Api = running.Api });
        if (vipsOrChecksChanged)
        {
            Cluster.SetVips(Vips.Specs);
            PublishLocalState();
            ApplyDesired(Cluster.Desired);
        }
    }

    /// <summary>Why each dynamic VIP cannot be applied next to the config file's VIPs (name or address taken); empty when all can.</summary>
    public IReadOnlyList<string> ClashesWithConfig(IReadOnlyList<DynamicVip> vips)
    {
        ArgumentNullException.ThrowIfNull(vips);
        var config = Config;
        var errors = new List<string>();
        foreach (var vip in vips)
        {
            if (config.FindVip(vip.Name) is not null)
            {
                errors.Add($"VIP '{vip.Name}': the config file has a VIP of that name");
            }
            else if (config.Vips.FirstOrDefault(v => v.Address.Equals(vip.Address)) is { } clash)
            {
                errors.Add($"VIP '{vip.Name}': {vip.Address} is the config file's VIP '{clash.Name}'");
            }
        }

        return errors;
    }

    /// <summary>This node's notify state for a VIP (MASTER, BACKUP, FAULT, STOP or INIT). On the loop.</summary>
    public string NotifyStateOf(string vip) => _notifyStates.GetValueOrDefault(vip, InitState);

    /// <summary>This node's eligibility and priority for a VIP: its interface is up, a BGP VIP's session is up and its checks allow it (<see cref="Eligibility.Evaluate"/>, the rule peers apply to this node's verdicts).</summary>
    public (bool Eligible, int Priority, string Reason) LocalVerdict(VipConfig vip, LinkInfo? link)
    {
        ArgumentNullException.ThrowIfNull(vip);
        if (RefusedDynamicVips.TryGetValue(vip.Name, out var refused))
        {
            var (_, priority, _) = Eligibility.Evaluate(vip, Config.Node.Name, Checks, _checkConfigs, ToLinkState(link), BgpSessions);
            return (false, priority, $"refused by this node's config: {refused}");
        }

        return Eligibility.Evaluate(vip, Config.Node.Name, Checks, _checkConfigs, ToLinkState(link), BgpSessions);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _lingerTimer?.Dispose();
        Replicator.Dispose();
        _view.Dispose();
        Membership.Dispose();
        Cluster.Dispose();
        Announcer.Dispose();
        _monitor?.Dispose();
        _conflicts?.Dispose();
    }
}
