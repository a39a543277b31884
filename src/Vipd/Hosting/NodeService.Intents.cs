using Grpc.Core;
using Microsoft.Extensions.Logging;
using Vipd.Api.V1;
using Vipd.Core.Config;
using Vipd.Core.Election;
using Vipd.Core.Intents;
using Vipd.State;
using DynamicVip = Vipd.Core.Intents.DynamicVip;

namespace Vipd.Hosting;

/// <summary>
/// Dynamic VIPs and Move preferences: the replicated <see cref="IntentStore"/> feeds the same pipeline as the config
/// file (announcer, election; no checks, no notify scripts), persisted in <c>[node] state_dir</c>/intents.json.
/// </summary>
internal sealed partial class NodeService
{
    private readonly IntentStore _intents;
    private IntentPersister? _persister;
    private IntentReplicator? _replicator;
    private IReadOnlyList<SourcedVip> _dynamic = [];
    private Dictionary<string, string> _sourceOf = new(StringComparer.Ordinal);

    /// <summary>The replicated intents (dynamic VIPs, Move preferences).</summary>
    public IntentStore Intents => _intents;

    public MoveResponse Move(string vip, string node)
    {
        var (cluster, _) = Running();
        if (!_vips.ContainsKey(vip))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no VIP named '{vip}'"));
        }

        if (node.Length > 0 && !(_membership?.Members.Any(m => m.Name == node) ?? false))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no member named '{node}' in this node's view"));
        }

        string? previous;
        try
        {
            previous = _intents.SetPreference(vip, node.Length == 0 ? null : node);
        }
        catch (IntentException ex)
        {
            throw ToRpc(ex);
        }

        _executor!.Invoke(ApplyIntents, InvokeTimeout);
        return new MoveResponse { PreviousPreferredNode = previous ?? string.Empty, Owner = cluster.Owners.GetValueOrDefault(vip) ?? string.Empty };
    }

    public ApplyVipsResponse ApplyVips(ApplyVipsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Running();
        var vips = new List<DynamicVip>();
        var errors = new List<string>();
        foreach (var item in request.Vips)
        {
            if (IntentValidation.TryCreateVip(item.Name, item.Address, item.Interface, item.AllowedNodes, item.HasPreempt ? item.Preempt : null,
                item.PreemptDelay?.ToTimeSpan(), item.Priority, item.Priorities, out var vip, out var vipErrors))
            {
                vips.Add(vip!);
            }
            else
            {
                errors.AddRange(vipErrors);
            }
        }

        foreach (var vip in vips)
        {
            if (_config.FindVip(vip.Name) is not null)
            {
                errors.Add($"VIP '{vip.Name}': the config file has a VIP of that name");
            }
            else if (_config.Vips.FirstOrDefault(v => v.Address.Equals(vip.Address)) is { } clash)
            {
                errors.Add($"VIP '{vip.Name}': {vip.Address} is the config file's VIP '{clash.Name}'");
            }
        }

        if (errors.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("; ", errors)));
        }

        ApplyResult result;
        try
        {
            result = _intents.Apply(request.Source, vips, request.Replace);
        }
        catch (IntentException ex)
        {
            throw ToRpc(ex);
        }

        _executor!.Invoke(ApplyIntents, InvokeTimeout);
        var response = new ApplyVipsResponse { Version = result.Version.Counter };
        response.Added.AddRange(result.Added);
        response.Changed.AddRange(result.Changed);
        response.Unchanged.AddRange(result.Unchanged);
        response.Removed.AddRange(result.Removed);
        return response;
    }

    public RemoveVipsResponse RemoveVips(RemoveVipsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Running();
        RemoveResult result;
        try
        {
            result = _intents.Remove(request.Source, request.Names, request.All);
        }
        catch (IntentException ex)
        {
            throw ToRpc(ex);
        }

        _executor!.Invoke(ApplyIntents, InvokeTimeout);
        var response = new RemoveVipsResponse { Version = result.Version.Counter };
        response.Removed.AddRange(result.Removed);
        response.NotFound.AddRange(result.NotFound);
        return response;
    }

    private static RpcException ToRpc(IntentException ex) => new(new Status(
        ex.Error switch
        {
            IntentError.NotFound => StatusCode.NotFound,
            IntentError.FailedPrecondition => StatusCode.FailedPrecondition,
            _ => StatusCode.InvalidArgument,
        },
        ex.Message));

    /// <summary>Loads the persisted intents (a missing or corrupt file means none) and saves every later change.</summary>
    private void LoadIntents()
    {
        var directory = _config.Node.StateDirectory;
        var path = IntentFile.PathIn(directory);
        try
        {
            Directory.CreateDirectory(directory);
            var load = IntentFile.Load(path, _time, _loggers.CreateLogger("Vipd.State"));
            _intents.Load(load.Snapshot);
            _persister = new IntentPersister(_intents, path, _time, _loggers.CreateLogger("Vipd.State"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStateOff(_logger, directory, ex.Message);
        }

        _intents.Changed += OnIntentsChanged;
        _dynamic = _intents.EffectiveVips();
        RebuildVips();
    }

    private void OnIntentsChanged(IntentChange change)
    {
        _executor?.Post(ApplyIntents);
        if (change.Kind == IntentChangeKind.DynamicVips)
        {
            var item = new DynamicVipsEvent { Source = change.Source ?? string.Empty, OriginNode = change.OriginNode };
            item.Applied.AddRange(change.Applied);
            item.Removed.AddRange(change.Removed);
            Events.Publish(new WatchEvent { DynamicVips = item });
        }
    }

    /// <summary>On the executor: the store changed (here or on a peer): re-derive the VIP set and re-elect.</summary>
    private void ApplyIntents()
    {
        if (_cluster is null || _stopping)
        {
            return;
        }

        _dynamic = _intents.EffectiveVips();
        RebuildVips();
        _cluster.SetVips(AllSpecs());
        PublishLocalState();
        ApplyDesired(_cluster.Desired);
    }

    /// <summary>The config file's VIPs, then the dynamic ones (a dynamic VIP without an interface takes [node] interface, else the first config VIP's).</summary>
    private void RebuildVips()
    {
        var vips = _config.Vips.ToDictionary(v => v.Name, StringComparer.Ordinal);
        var sources = vips.Keys.ToDictionary(n => n, _ => ConfigSource, StringComparer.Ordinal);
        var fallback = _config.Node.Interface ?? (_config.Vips.Count > 0 ? _config.Vips[0].Interface : string.Empty);
        foreach (var (source, vip) in _dynamic)
        {
            if (vips.TryAdd(vip.Name, vip.ToVipConfig(fallback, DynamicAnnounce)))
            {
                sources[vip.Name] = source;
            }
        }

        _vips = vips;
        _sourceOf = sources;
    }

    private List<VipSpec> AllSpecs()
    {
        var preferences = _intents.Preferences;
        return [.. _vips.Values.Select(v => new VipSpec(v.Name, v.Preempt, v.PreemptDelay, v.Nodes.IsEmpty ? null : [.. v.Nodes])
        {
            PreferredNode = preferences.GetValueOrDefault(v.Name),
        })];
    }

    /// <summary>Dynamic VIPs announce with the defaults.</summary>
    private static readonly AnnounceConfig DynamicAnnounce = new()
    {
        Count = ConfigDefaults.AnnounceCount,
        Interval = ConfigDefaults.AnnounceInterval,
        SecondBurstAfter = ConfigDefaults.AnnounceSecondBurstAfter,
        Refresh = ConfigDefaults.AnnounceRefresh,
    };

    [LoggerMessage(EventId = 112, Level = LogLevel.Error, Message = "Cannot use state folder {Path} ({Reason}): dynamic VIPs and Move preferences will not survive a restart")]
    private static partial void LogStateOff(ILogger logger, string path, string reason);
}
