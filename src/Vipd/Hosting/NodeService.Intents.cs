using Grpc.Core;
using Microsoft.Extensions.Logging;
using Vipd.Api.V1;
using Vipd.Core.Config;
using Vipd.Core.Intents;
using Vipd.Core.Nodes;
using Vipd.State;
using DynamicVip = Vipd.Core.Intents.DynamicVip;

namespace Vipd.Hosting;

/// <summary>
/// Dynamic VIPs and Move preferences over the API: commands run on the node's loop (<see cref="Node.Intents"/>),
/// persisted in <c>[node] state_dir</c>/intents.json.
/// </summary>
internal sealed partial class NodeService
{
    private IntentPersister? _persister;

    public MoveResponse Move(string vip, string node)
    {
        var running = Running();
        if (running.Vips.Find(vip) is null)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no VIP named '{vip}'"));
        }

        if (node.Length > 0 && !running.Membership.Members.Any(m => m.Name == node))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"no member named '{node}' in this node's view"));
        }

        var previous = OnLoop(() => running.Intents.SetPreference(vip, node.Length == 0 ? null : node));
        return new MoveResponse { PreviousPreferredNode = previous ?? string.Empty, Owner = running.Cluster.Owners.GetValueOrDefault(vip) ?? string.Empty };
    }

    public ApplyVipsResponse ApplyVips(ApplyVipsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var running = Running();
        var vips = new List<DynamicVip>();
        var errors = new List<string>();
        foreach (var item in request.Vips)
        {
            TimeSpan delay = default;
            if (item.PreemptDelay is { } asked && !Api.ApiDuration.TryConvert(asked, out delay))
            {
                errors.Add($"VIP '{item.Name}': preempt_delay is not a valid duration");
                continue;
            }

            if (IntentValidation.TryCreateVip(item.Name, item.Address, item.Interface, item.AllowedNodes, item.HasPreempt ? item.Preempt : null,
                item.PreemptDelay is null ? null : delay, item.Priority, item.Priorities, out var vip, out var vipErrors))
            {
                vips.Add(vip!);
            }
            else
            {
                errors.AddRange(vipErrors);
            }
        }

        errors.AddRange(running.ClashesWithConfig(vips));
        if (errors.Count > 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, string.Join("; ", errors)));
        }

        // Judged on the loop with the apply, so the members and host addresses checked are those of the moment it
        // is stored; one refused VIP refuses the whole request.
        var result = OnLoop(() =>
        {
            if (!running.DynamicVipPolicy.Enabled && vips.Count > 0)
            {
                throw new IntentException(IntentError.FailedPrecondition, running.DynamicVipPolicy.DisabledMessage);
            }

            var refused = running.DynamicVipErrors(vips);
            return refused.Count > 0
                ? throw new IntentException(IntentError.InvalidArgument, string.Join("; ", refused))
                : running.Intents.Apply(request.Source, vips, request.Replace);
        });
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
        var running = Running();
        var result = OnLoop(() => running.Intents.Remove(request.Source, request.Names, request.All));
        var response = new RemoveVipsResponse { Version = result.Version.Counter };
        response.Removed.AddRange(result.Removed);
        response.NotFound.AddRange(result.NotFound);
        return response;
    }

    /// <summary>
    /// Runs an intent command on the node's loop (the store's change re-elects there too) and returns its result;
    /// an <see cref="IntentException"/> becomes the matching gRPC status.
    /// </summary>
    private T OnLoop<T>(Func<T> command)
        where T : class?
    {
        T? result = null;
        IntentException? failure = null;
        var done = _executor!.Invoke(() =>
        {
            try
            {
                result = command();
            }
            catch (IntentException ex)
            {
                failure = ex;
            }
        }, InvokeTimeout);

        // The store's change posted the re-election behind the command: answer once it ran, as before.
        done = done && _executor.Invoke(static () => { }, InvokeTimeout);
        if (failure is not null)
        {
            throw ToRpc(failure);
        }

        return done ? result! : throw new RpcException(new Status(StatusCode.Unavailable, "the node is busy or stopping; try again"));
    }

    private static RpcException ToRpc(IntentException ex) => new(new Status(
        ex.Error switch
        {
            IntentError.NotFound => StatusCode.NotFound,
            IntentError.FailedPrecondition => StatusCode.FailedPrecondition,
            _ => StatusCode.InvalidArgument,
        },
        ex.Message));

    /// <summary>The intents a previous run persisted in <c>[node] state_dir</c>; none when the file is missing, corrupt or unreadable.</summary>
    private IntentSnapshot? LoadIntents(VipdConfig config)
    {
        var directory = config.Node.StateDirectory;
        try
        {
            Directory.CreateDirectory(directory);
            return IntentFile.Load(IntentFile.PathIn(directory), _time, _loggers.CreateLogger("Vipd.State")).Snapshot;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStateOff(_logger, directory, ex.Message);
            return null;
        }
    }

    /// <summary>Saves every later change of the node's intents.</summary>
    private void StartPersister(Node node, VipdConfig config)
    {
        var directory = config.Node.StateDirectory;
        try
        {
            Directory.CreateDirectory(directory);
            _persister = new IntentPersister(node.Intents, IntentFile.PathIn(directory), _time, _loggers.CreateLogger("Vipd.State"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStateOff(_logger, directory, ex.Message);
        }
    }

    /// <summary>On the loop: dynamic VIPs changed here or on a peer: a Watch event.</summary>
    private void OnIntentsChangedForEvents(IntentChange change)
    {
        if (change.Kind == IntentChangeKind.DynamicVips)
        {
            var item = new DynamicVipsEvent { Source = change.Source ?? string.Empty, OriginNode = change.OriginNode };
            item.Applied.AddRange(change.Applied);
            item.Removed.AddRange(change.Removed);
            Events.Publish(new WatchEvent { DynamicVips = item });
        }
    }

    [LoggerMessage(EventId = 124, Level = LogLevel.Warning, Message = "Dynamic VIP {Vip} is not held by this node: {Reason}")]
    private static partial void LogDynamicVipRefused(ILogger logger, string vip, string reason);

    [LoggerMessage(EventId = 112, Level = LogLevel.Error, Message = "Cannot use state folder {Path} ({Reason}): dynamic VIPs and Move preferences will not survive a restart")]
    private static partial void LogStateOff(ILogger logger, string path, string reason);
}
