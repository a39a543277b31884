using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Vipd.Api;
using Vipd.Api.V1;
using Vipd.Commands;
using Vipd.Core.Checks;
using Vipd.Core.Config;
using Vipd.Core.Nodes;
using Vipd.Core.Reconcile;
using CoreMember = Vipd.Core.Membership.Member;
using CoreMemberState = Vipd.Core.Membership.MemberState;

namespace Vipd.Hosting;

/// <summary>The node as the gRPC API sees it: status, VIPs, members, events, and the operator's commands.</summary>
internal sealed partial class NodeService : INodeApi
{
    private static readonly TimeSpan InvokeTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, (DateTimeOffset At, string Reason)> _lastChange = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (CoreMemberState State, bool Maintenance, bool Draining)> _memberStates = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _startedAt;
    private string _configDigest = string.Empty;
    private DateTimeOffset _configLoadedAt;
    private ReloadResult? _lastReload;
    private NodeMode _mode = NodeMode.Active;

    /// <inheritdoc />
    public EventHub Events { get; private set; } = new(TimeProvider.System);

    public GetStatusResponse GetStatus()
    {
        var node = _node;
        var config = Config;
        var quorum = node?.Cluster.Quorum ?? default;
        var members = node?.Membership.Members ?? [];
        var now = _time.GetUtcNow();
        var status = new GetStatusResponse
        {
            Node = config.Node.Name,
            Version = VersionCommand.Version,
            StartedAt = Timestamp.FromDateTimeOffset(_startedAt),
            Uptime = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(now - _startedAt),
            ConfigPath = config.SourcePath,
            ConfigDigest = _configDigest,
            ConfigLoadedAt = Timestamp.FromDateTimeOffset(_configLoadedAt),
            Quorum = new Quorum
            {
                Required = config.Cluster.Quorum,
                Present = quorum.HasQuorum,
                Live = (uint)Math.Max(0, quorum.LiveNodes),
                Expected = (uint)config.Cluster.ExpectedNodes,
                Needed = (uint)((config.Cluster.ExpectedNodes / 2) + 1),
            },
            Mode = CurrentMode(),
            VipsTotal = (uint)(node?.Vips.Count ?? config.Vips.Count),
            VipsHeld = (uint)(node?.Announcer.Held.Count ?? 0),
            MembersAlive = (uint)Math.Max(1, members.Count(m => m.IsLive)),
            MembersTotal = (uint)Math.Max(1, members.Count),
        };
        if (_lastReload is { } reload)
        {
            status.LastReload = reload;
        }

        return status;
    }

    public IReadOnlyList<Vip> ListVips()
    {
        var list = new List<Vip>();
        if (_node is not { } node)
        {
            return list;
        }

        var owners = node.Cluster.Owners;
        var held = node.Announcer.Held;
        var vips = node.Vips;
        var local = node.Config.Node.Name;
        foreach (var (vip, source) in vips.ByName.Values.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            var explanation = node.Cluster.Explain(vip.Name);
            var owner = owners.GetValueOrDefault(vip.Name);
            var item = new Vip
            {
                Name = vip.Name,
                Address = vip.Cidr,
                Interface = vip.Interface,
                Source = source,
                PreferredNode = vips.Preferences.GetValueOrDefault(vip.Name) ?? string.Empty,
                Owner = owner ?? string.Empty,
                State = ApiMapping.StateOf(local, held.Contains(vip.Name), owner, explanation),
                Preempt = vip.Preempt,
                PreemptDelay = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(vip.PreemptDelay),
                Mode = ApiMapping.ModeOf(vip),
                Policy = ApiMapping.PolicyOf(vip),
                Advertised = node.Advertises(vip.Name),
            };
            item.Holders.AddRange(node.Cluster.HoldersOf(vip.Name));
            item.EligibleNodes.AddRange(explanation.Candidates.Where(c => c.Rank > 0).OrderBy(c => c.Rank).Select(c => c.Node));

            item.AllowedNodes.AddRange(vip.Nodes);
            lock (_lastChange)
            {
                if (_lastChange.TryGetValue(vip.Name, out var change))
                {
                    item.LastChange = Timestamp.FromDateTimeOffset(change.At);
                    item.LastChangeReason = change.Reason;
                }
            }

            list.Add(item);
        }

        return list;
    }

    public IReadOnlyList<Vipd.Api.V1.Member> ListMembers()
    {
        var members = _node?.Membership.Members ?? [];
        return [.. members.OrderBy(m => m.Name, StringComparer.Ordinal).Select(ToApi)];
    }

    public ExplainResponse? Explain(string vip)
    {
        if (_node is not { } node || node.Vips.Find(vip) is not { } config)
        {
            return null;
        }

        var advertised = node.Advertises(vip);
        if (config.HeldWhenEligible)
        {
            // Not elected: every eligible node advertises it.
            var verdict = node.LocalVerdict(config, _addresses.FindLink(config.Interface));
            var reason = advertised ? "this node advertises it"
                : node.Maintenance ? "this node does not advertise it: in maintenance"
                : !verdict.Eligible ? $"this node does not advertise it: {verdict.Reason}"
                : "this node does not advertise it: draining, stopping or starting";
            return new ExplainResponse
            {
                Vip = vip,
                Summary = $"active-active BGP VIP, every eligible node advertises it; {reason}",
                Mode = ApiMapping.ModeOf(config),
                Policy = ApiMapping.PolicyOf(config),
                Advertised = advertised,
            };
        }

        var response = ApiMapping.ToApi(node.Cluster.Explain(vip));
        response.Mode = ApiMapping.ModeOf(config);
        response.Policy = ApiMapping.PolicyOf(config);
        response.Advertised = advertised;
        return response;
    }

    public Snapshot Snapshot()
    {
        var snapshot = new Snapshot { Status = GetStatus() };
        snapshot.Vips.AddRange(ListVips());
        snapshot.Members.AddRange(ListMembers());
        return snapshot;
    }

    public async Task<DrainResponse> DrainAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        var node = Running();
        var announcer = node.Announcer;
        OnLoopOrUnavailable(node.BeginDrain);
        PublishModeIfChanged();
        var started = _time.GetTimestamp();
        while (announcer.Held.Count > 0 && _time.GetElapsedTime(started) < wait && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, CancellationToken.None).ConfigureAwait(false);
        }

        var response = new DrainResponse { Complete = announcer.Held.Count == 0 };
        response.StillHeld.AddRange(announcer.Held.Order(StringComparer.Ordinal));
        return response;
    }

    public void Undrain()
    {
        var node = Running();
        OnLoopOrUnavailable(node.EndDrain);
        PublishModeIfChanged();
    }

    public NodeMode SetMaintenance(bool enabled)
    {
        var node = Running();
        OnLoopOrUnavailable(() => node.SetMaintenance(enabled));
        PublishModeIfChanged();
        return CurrentMode();
    }

    public ReloadResult Reload()
    {
        ReloadResult? result = null;
        if (_executor is null || !_executor.Invoke(() => result = ReloadNow(), InvokeTimeout) || result is null)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the node is busy or stopping; try again"));
        }

        return result;
    }

    /// <summary>The config file's bytes, its digest, and the parse result (one read, so digest and config agree).</summary>
    private static (ConfigResult Result, string Digest) LoadConfig(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (ConfigLoader.Load(path), string.Empty);
        }

        return (ConfigLoader.Parse(ApiMapping.DecodeText(bytes), path), ApiMapping.Digest(bytes));
    }

    private static string DigestOf(string path)
    {
        try
        {
            return ApiMapping.Digest(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private Node Running()
    {
        if (_node is not { } node || node.Stopping)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the node is starting or stopping"));
        }

        return node;
    }

    /// <summary>Runs an operator's command on the node's loop and waits for it.</summary>
    private void OnLoopOrUnavailable(Action command)
    {
        if (_executor is null || !_executor.Invoke(command, InvokeTimeout))
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the node is busy or stopping; try again"));
        }
    }

    private NodeMode CurrentMode()
    {
        if (_node?.Maintenance == true)
        {
            return NodeMode.Maintenance;
        }

        if (_node?.Cluster.IsDraining == true)
        {
            return _node.Announcer.Held.Count > 0 ? NodeMode.Draining : NodeMode.Drained;
        }

        return NodeMode.Active;
    }

    private void PublishModeIfChanged()
    {
        var mode = CurrentMode();
        NodeMode previous;
        lock (_lastChange)
        {
            previous = _mode;
            if (previous == mode)
            {
                return;
            }

            _mode = mode;
        }

        Events.Publish(new WatchEvent { Mode = new ModeEvent { Previous = previous, Mode = mode } });
    }

    private Vipd.Api.V1.Member ToApi(CoreMember member)
    {
        var local = member.Name == Config.Node.Name;
        var standing = _node?.Cluster.StandingOf(member.Name);
        var item = new Vipd.Api.V1.Member
        {
            Name = member.Name,
            Address = member.Address.ToString(),
            State = ApiMapping.ToApi(member.State),
            Incarnation = member.Incarnation,
            Local = local,
            Maintenance = standing?.Maintenance ?? false,
            Draining = standing?.Draining ?? false,
        };
        if (!local && _node?.Membership.LastHeard(member.Name) is { } heard)
        {
            item.LastHeard = Timestamp.FromDateTimeOffset(heard);
        }

        if (standing is not null)
        {
            item.Vips.AddRange(standing.Vips.Select(v => new VipHealth { Vip = v.Vip, Eligible = v.Eligible, Priority = (uint)Math.Clamp(v.Priority, 0, 255), Holding = v.Holding }));
        }

        return item;
    }

    /// <summary>On the node's loop (so the last-state table needs no lock): a member Watch event when its state changed.</summary>
    private void OnMemberChangedForEvents(CoreMember member)
    {
        var standing = _node?.Cluster.StandingOf(member.Name);
        var now = (member.State, standing?.Maintenance ?? false, standing?.Draining ?? false);
        if (_memberStates.TryGetValue(member.Name, out var before) && before == now)
        {
            return;
        }

        _memberStates[member.Name] = now;

        Events.Publish(new WatchEvent
        {
            Member = new MemberEvent
            {
                Member = ToApi(member),
                PreviousState = before == default ? MemberState.Unspecified : ApiMapping.ToApi(before.State),
            },
        });
    }

    private void OnOwnershipChangedForEvents(Core.Cluster.OwnershipChange change)
    {
        lock (_lastChange)
        {
            _lastChange[change.Vip] = (_time.GetUtcNow(), change.Reason);
        }

        var explanation = _node?.Cluster.Explain(change.Vip);
        var state = ApiMapping.StateOf(Config.Node.Name, change.To == Config.Node.Name, change.To, explanation);
        Events.Publish(new WatchEvent
        {
            Ownership = new OwnershipEvent
            {
                Vip = change.Vip,
                PreviousOwner = change.From ?? string.Empty,
                Owner = change.To ?? string.Empty,
                Reason = change.Reason,
                State = state,
            },
        });
    }

    private void OnCheckChangedForEvents(CheckStatus status)
    {
        var change = new CheckEvent { Check = status.Name, Passing = status.Passing, Detail = status.Detail };
        change.Vips.AddRange(Config.Vips.Where(v => v.Checks.Contains(status.Name)).Select(v => v.Name));
        Events.Publish(new WatchEvent { Check = change });
    }

    private void OnAnnouncerChangedForEvents(AnnouncerEvent change)
    {
        if (change.Kind == AnnouncerEventKind.Conflict && change.Name is { } name)
        {
            Events.Publish(new WatchEvent
            {
                Conflict = new ConflictEvent
                {
                    Vip = name,
                    Address = change.Binding?.Address.ToString() ?? string.Empty,
                    OtherMac = ApiMapping.MacOf(change.Message),
                    Interface = change.Binding?.Interface ?? string.Empty,
                },
            });
        }

        if (change.Kind is AnnouncerEventKind.Acquired or AnnouncerEventKind.Released)
        {
            PublishModeIfChanged();
        }
    }
}
