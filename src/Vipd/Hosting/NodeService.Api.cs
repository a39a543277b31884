using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Vipd.Api;
using Vipd.Api.V1;
using Vipd.Checks;
using Vipd.Commands;
using Vipd.Core.Config;
using Vipd.Core.Reconcile;
using CoreMember = Vipd.Core.Membership.Member;
using CoreMemberState = Vipd.Core.Membership.MemberState;

namespace Vipd.Hosting;

/// <summary>The node as the gRPC API sees it: status, VIPs, members, events, and the operator's commands.</summary>
internal sealed partial class NodeService : INodeApi
{
    /// <summary>The source name of VIPs from the config file.</summary>
    public const string ConfigSource = "config";

    private static readonly TimeSpan InvokeTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, (DateTimeOffset At, string Reason)> _lastChange = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (CoreMemberState State, bool Maintenance, bool Draining)> _memberStates = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _startedAt;
    private string _configDigest = string.Empty;
    private DateTimeOffset _configLoadedAt;
    private ReloadResult? _lastReload;
    private volatile bool _maintenance;
    private NodeMode _mode = NodeMode.Active;

    /// <inheritdoc />
    public EventHub Events { get; private set; } = new(TimeProvider.System);

    public GetStatusResponse GetStatus()
    {
        var cluster = _cluster;
        var quorum = cluster?.Quorum ?? default;
        var members = _membership?.Members ?? [];
        var now = _time.GetUtcNow();
        var status = new GetStatusResponse
        {
            Node = _config.Node.Name,
            Version = VersionCommand.Version,
            StartedAt = Timestamp.FromDateTimeOffset(_startedAt),
            Uptime = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(now - _startedAt),
            ConfigPath = _config.SourcePath,
            ConfigDigest = _configDigest,
            ConfigLoadedAt = Timestamp.FromDateTimeOffset(_configLoadedAt),
            Quorum = new Quorum
            {
                Required = _config.Cluster.Quorum,
                Present = quorum.HasQuorum,
                Live = (uint)Math.Max(0, quorum.LiveNodes),
                Expected = (uint)_config.Cluster.ExpectedNodes,
                Needed = (uint)((_config.Cluster.ExpectedNodes / 2) + 1),
            },
            Mode = CurrentMode(),
            VipsTotal = (uint)_vips.Count,
            VipsHeld = (uint)(_announcer?.Held.Count ?? 0),
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
        var owners = _cluster?.Owners ?? new Dictionary<string, string?>();
        var held = _announcer?.Held ?? [];
        var list = new List<Vip>();
        var sources = _sourceOf;
        var preferences = _intents.Preferences;
        foreach (var vip in _vips.Values.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            var explanation = _cluster?.Explain(vip.Name);
            var owner = owners.GetValueOrDefault(vip.Name);
            var item = new Vip
            {
                Name = vip.Name,
                Address = vip.Cidr,
                Interface = vip.Interface,
                Source = sources.GetValueOrDefault(vip.Name, ConfigSource),
                PreferredNode = preferences.GetValueOrDefault(vip.Name) ?? string.Empty,
                Owner = owner ?? string.Empty,
                State = ApiMapping.StateOf(_config.Node.Name, held.Contains(vip.Name), owner, explanation),
                Preempt = vip.Preempt,
                PreemptDelay = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(vip.PreemptDelay),
            };
            item.Holders.AddRange(_cluster?.HoldersOf(vip.Name) ?? []);
            if (explanation is not null)
            {
                item.EligibleNodes.AddRange(explanation.Candidates.Where(c => c.Rank > 0).OrderBy(c => c.Rank).Select(c => c.Node));
            }

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
        var members = _membership?.Members ?? [];
        return [.. members.OrderBy(m => m.Name, StringComparer.Ordinal).Select(ToApi)];
    }

    public ExplainResponse? Explain(string vip)
    {
        if (_cluster is null || !_vips.ContainsKey(vip))
        {
            return null;
        }

        return ApiMapping.ToApi(_cluster.Explain(vip));
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
        var (cluster, announcer) = Running();
        cluster.BeginHandover();
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
        var (cluster, _) = Running();
        cluster.EndHandover();
        PublishModeIfChanged();
    }

    public NodeMode SetMaintenance(bool enabled)
    {
        var (_, _) = Running();
        _maintenance = enabled;
        _executor!.Invoke(PublishLocalState, InvokeTimeout);
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

    private (Core.Cluster.ClusterNode Cluster, Announcer Announcer) Running()
    {
        if (_cluster is null || _announcer is null || _stopping)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the node is starting or stopping"));
        }

        return (_cluster, _announcer);
    }

    private NodeMode CurrentMode()
    {
        if (_maintenance)
        {
            return NodeMode.Maintenance;
        }

        if (_cluster?.IsDraining == true)
        {
            return _announcer?.Held.Count > 0 ? NodeMode.Draining : NodeMode.Drained;
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
        var local = member.Name == _config.Node.Name;
        var standing = _cluster?.StandingOf(member.Name);
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
        if (!local && _membership?.LastHeard(member.Name) is { } heard)
        {
            item.LastHeard = Timestamp.FromDateTimeOffset(heard);
        }

        if (standing is not null)
        {
            item.Vips.AddRange(standing.Vips.Select(v => new VipHealth { Vip = v.Vip, Eligible = v.Eligible, Priority = (uint)Math.Clamp(v.Priority, 0, 255), Holding = v.Holding }));
        }

        return item;
    }

    private void OnMemberChangedForEvents(CoreMember member)
    {
        var standing = _cluster?.StandingOf(member.Name);
        var now = (member.State, standing?.Maintenance ?? false, standing?.Draining ?? false);
        (CoreMemberState State, bool Maintenance, bool Draining) before;
        lock (_memberStates)
        {
            if (_memberStates.TryGetValue(member.Name, out before) && before == now)
            {
                return;
            }

            _memberStates[member.Name] = now;
        }

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

        var explanation = _cluster?.Explain(change.Vip);
        var state = ApiMapping.StateOf(_config.Node.Name, change.To == _config.Node.Name, change.To, explanation);
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
        change.Vips.AddRange(_config.Vips.Where(v => v.Checks.Contains(status.Name)).Select(v => v.Name));
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
