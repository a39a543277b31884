using System.Diagnostics.CodeAnalysis;
using Vipd.Core.Checks;
using Vipd.Core.Config;
using Vipd.Core.Election;
using Vipd.Core.Intents;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Nodes;

/// <summary>The node's own reactions, all on the loop: VIP set, local verdicts, desired set to the announcer, notify states.</summary>
public sealed partial class Node
{
    /// <summary>The config and what is derived from it, replaced together (start and reload).</summary>
    [MemberNotNull(nameof(_config), nameof(_vips), nameof(_checkConfigs), nameof(_standingModel), nameof(_policy))]
    private void UseConfig(VipdConfig config)
    {
        Volatile.Write(ref _config, config);
        Volatile.Write(ref _policy, new DynamicVipPolicy(config));
        Intents.SetReserved(config.Vips.Select(v => v.Name), config.Vips.Select(v => v.Address));
        _checkConfigs = config.Checks.ToDictionary(c => c.Name, StringComparer.Ordinal);
        RebuildVips();
    }

    [MemberNotNull(nameof(_vips), nameof(_standingModel))]
    private void RebuildVips()
    {
        var dynamic = Intents.EffectiveVips();
        Volatile.Write(ref _vips, NodeVipSet.Build(_config, dynamic, Intents.Preferences));
        JudgeDynamicVips(dynamic);

        // A dynamic VIP this node's config refuses is left out of its standing model: its standing digest then differs
        // from its peers', so they read its explicit records (ineligible for that VIP) instead of deriving it eligible.
        // Active-active VIPs are outside the election: held by every eligible node, so no standing is published for them.
        _standingModel = StandingModel.Build(
            _vips.ByName.Values.Where(v => !v.Config.HeldWhenEligible && !RefusedDynamicVips.ContainsKey(v.Name)).Select(v => v.Config), _checkConfigs);
    }

    /// <summary>
    /// The election's desired set, plus the active-active BGP VIPs this node is eligible for (held when eligible, not
    /// elected), to the announcer; then the claims (held ∧ desired) of the elected VIPs are republished.
    /// </summary>
    private void ApplyDesired(IReadOnlySet<string> desired)
    {
        if (_disposed || _stopping)
        {
            return;
        }

        desired = GateDesired(desired);
        var vips = Vips;
        var wanted = desired.Concat(_settled && !_draining ? _heldWhenEligible : []).ToHashSet(StringComparer.Ordinal);
        LingerBgpReleases(wanted, vips);
        var owned = new List<OwnedVip>(wanted.Count);
        foreach (var name in wanted)
        {
            if (vips.Find(name) is { } vip)
            {
                owned.Add(new OwnedVip(name, new VipBinding(vip.Address, vip.PrefixLength, vip.Interface), PolicyOf(vip)));
            }
        }

        Announcer.SetDesired(owned);
        ReportHeldToCluster();
    }

    /// <summary>
    /// Make-before-break for active-standby BGP VIPs: a held one the election no longer wants stays on its interface
    /// (advertised) for <see cref="BgpHandoverLinger"/>, long enough for the successor's route to reach the routers,
    /// so a planned move loses no packet. On L2 the successor's GARP moves the clients at once; a route takes an UPDATE.
    /// Adds the lingering VIPs to <paramref name="wanted"/>.
    /// </summary>
    private void LingerBgpReleases(HashSet<string> wanted, NodeVipSet vips)
    {
        var now = _time.GetTimestamp();
        foreach (var name in Announcer.Held)
        {
            if (!wanted.Contains(name) && !_lingering.ContainsKey(name) && vips.Find(name) is { Mode: VipMode.Bgp, HeldWhenEligible: false })
            {
                _lingering[name] = now + (long)(BgpHandoverLinger.TotalSeconds * _time.TimestampFrequency);
            }
        }

        long? next = null;
        foreach (var (name, until) in _lingering.ToList())
        {
            if (wanted.Contains(name) || until <= now || vips.Find(name) is null)
            {
                _lingering.Remove(name);
                continue;
            }

            wanted.Add(name);
            next = next is null ? until : Math.Min(next.Value, until);
        }

        _lingerTimer?.Dispose();
        _lingerTimer = next is { } at
            ? _time.CreateTimer(_ => ApplyDesired(Cluster.Desired), null, TimeSpan.FromSeconds((double)(at - now) / _time.TimestampFrequency) + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan)
            : null;
    }

    /// <summary>A BGP VIP is not announced on Layer 2: FRR advertises it once it is on its interface.</summary>
    private static AnnouncementPolicy PolicyOf(VipConfig vip) =>
        vip.Mode == VipMode.Bgp ? AnnouncementPolicy.Silent : vip.Announce.ToPolicy();

    /// <summary>The held VIPs the election knows (active-active VIPs are outside it).</summary>
    private void ReportHeldToCluster()
    {
        var vips = Vips;
        Cluster.ReportHeld([.. Announcer.Held.Where(n => vips.Find(n) is not { HeldWhenEligible: true })]);
    }

    /// <summary>
    /// This node's own record: its check, link and BGP session verdicts, from which the cluster node derives its standing for every
    /// VIP with the standing model (per VIP: eligible while its interface is up and its checks allow it, with its
    /// priority), as every peer derives it from the record.
    /// </summary>
    private void PublishLocalState()
    {
        if (_disposed)
        {
            return;
        }

        var links = _ports.Addresses.ListLinks();
        var verdicts = _standingModel.VerdictsOf(Checks, name => ToLinkState(links.FirstOrDefault(l => l.Name == name)), BgpSessions);
        var held = Announcer.Held.ToHashSet(StringComparer.Ordinal);
        var heldWhenEligible = new HashSet<string>(StringComparer.Ordinal);
        foreach (var vip in Vips.ByName.Values)
        {
            var (eligible, _, reason) = LocalVerdict(vip.Config, links.FirstOrDefault(l => l.Name == vip.Config.Interface));
            if (vip.Config.HeldWhenEligible && eligible && !_maintenance)
            {
                heldWhenEligible.Add(vip.Name);
            }

            if (!held.Contains(vip.Name) && !_stopping)
            {
                var state = NotifyStateOf(vip.Name);
                if (!eligible)
                {
                    Notify(vip.Config, "FAULT", reason);
                }
                else if (state is InitState or "FAULT")
                {
                    Notify(vip.Config, "BACKUP", state == InitState ? "started" : reason);
                }
            }
        }

        Cluster.SetLocalState(_maintenance, _standingModel, verdicts);
        if (!heldWhenEligible.SetEquals(_heldWhenEligible))
        {
            _heldWhenEligible = heldWhenEligible;
            _loop.Post(() => ApplyDesired(Cluster.Desired));
        }
    }

    private static LinkState ToLinkState(LinkInfo? link) => link switch
    {
        null => LinkState.Gone,
        { IsUp: false } => LinkState.Down,
        _ => LinkState.Up,
    };

    private void OnNetworkChange(NetworkChange change)
    {
        if (change.Kind is NetworkChangeKind.LinkChanged or NetworkChangeKind.LinkRemoved)
        {
            PublishLocalState();
        }
    }

    private void OnAnnouncerChanged(AnnouncerEvent change)
    {
        AnnouncerChanged?.Invoke(change);
        if (change.Kind is AnnouncerEventKind.Acquired or AnnouncerEventKind.Released)
        {
            _loop.Post(() =>
            {
                if (_disposed)
                {
                    return;
                }

                ReportHeldToCluster();
                if (!_stopping && change.Name is { } name && Vips.Find(name) is { } vip)
                {
                    var eligible = LocalVerdict(vip, _ports.Addresses.FindLink(vip.Interface)).Eligible;
                    var state = change.Kind == AnnouncerEventKind.Acquired ? "MASTER" : eligible ? "BACKUP" : "FAULT";
                    Notify(vip, state, change.Message ?? change.Kind.ToString());
                }
            });
        }
    }

    private void OnIntentsChanged(IntentChange change)
    {
        _loop.Post(ApplyIntents);
        IntentsChanged?.Invoke(change);
    }

    /// <summary>The store changed (here or on a peer): re-derive the VIP set and re-elect.</summary>
    private void ApplyIntents()
    {
        if (_disposed || _stopping || !_started)
        {
            return;
        }

        RebuildVips();
        Cluster.SetVips(Vips.Specs);
        PublishLocalState();
        ApplyDesired(Cluster.Desired);
    }

    private void Notify(VipConfig vip, string state, string reason)
    {
        if (Note(vip, state, reason) is { } transition)
        {
            Transition?.Invoke(transition);
        }
    }

    /// <summary>Records a VIP's new notify state; null when it did not change.</summary>
    private NotifyTransition? Note(VipConfig vip, string state, string reason)
    {
        var previous = NotifyStateOf(vip.Name);
        if (previous == state)
        {
            return null;
        }

        _notifyStates[vip.Name] = state;
        return new NotifyTransition(vip, state, previous, reason);
    }
}
