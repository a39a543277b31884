using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Vipd.Api.V1;

namespace Vipd.Api;

/// <summary>
/// <c>vipd.v1.VipdService</c> over the running node. Read-only calls are open to every caller that reached the
/// listener; mutating calls first pass <see cref="AccessPolicy"/> (PERMISSION_DENIED otherwise).
/// </summary>
internal sealed partial class VipdApiService : VipdService.VipdServiceBase
{
    /// <summary>The longest Drain wait a caller may ask for.</summary>
    private static readonly TimeSpan MaxDrainWait = TimeSpan.FromMinutes(5);

    private readonly INodeApi _node;
    private readonly AccessPolicy _policy;
    private readonly ILogger _logger;

    public VipdApiService(INodeApi node, AccessPolicy policy, ILogger logger)
    {
        _node = node;
        _policy = policy;
        _logger = logger;
    }

    /// <summary>Finds the caller of a call: the connection's <see cref="CallerIdentity"/>, else unknown (read-only).</summary>
    public Func<ServerCallContext, CallerIdentity> IdentifyCaller { get; init; } = DefaultIdentify;

    public override Task<GetStatusResponse> GetStatus(GetStatusRequest request, ServerCallContext context) =>
        Task.FromResult(_node.GetStatus());

    public override Task<ListVipsResponse> ListVips(ListVipsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new ListVipsResponse();
        response.Vips.AddRange(_node.ListVips().Where(v => request.Source.Length == 0 || v.Source == request.Source));
        return Task.FromResult(response);
    }

    public override Task<ListMembersResponse> ListMembers(ListMembersRequest request, ServerCallContext context)
    {
        var response = new ListMembersResponse();
        response.Members.AddRange(_node.ListMembers());
        return Task.FromResult(response);
    }

    public override Task<ExplainResponse> Explain(ExplainRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Vip.Length == 0)
        {
            throw Refuse(StatusCode.InvalidArgument, "vip is required");
        }

        return Task.FromResult(_node.Explain(request.Vip) ?? throw Refuse(StatusCode.NotFound, $"no VIP named '{request.Vip}'"));
    }

    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var watcher = _node.Events.Subscribe(_node.Snapshot)
            ?? throw Refuse(StatusCode.ResourceExhausted, $"{EventHub.MaxWatchers} Watch streams are open already; close one and watch again");
        try
        {
            await foreach (var change in watcher.Reader.ReadAllAsync(context.CancellationToken).ConfigureAwait(false))
            {
                await responseStream.WriteAsync(change, context.CancellationToken).ConfigureAwait(false);
            }
        }
        catch (WatcherOverflowException)
        {
            LogWatcherCutOff(_logger, _node.Events.Capacity);
            throw Refuse(StatusCode.ResourceExhausted, $"this client fell more than {_node.Events.Capacity} events behind and was disconnected; watch again for a new snapshot");
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            _node.Events.Unsubscribe(watcher);
        }
    }

    public override async Task<DrainResponse> Drain(DrainRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        RequireMutating(context, "Drain");
        var wait = TimeSpan.Zero;
        if ((request.Wait is { } asked && !ApiDuration.TryConvert(asked, out wait)) || wait < TimeSpan.Zero || wait > MaxDrainWait)
        {
            throw Refuse(StatusCode.InvalidArgument, $"wait must be between 0 and {MaxDrainWait.TotalMinutes:0} minutes");
        }

        return await _node.DrainAsync(wait, context.CancellationToken).ConfigureAwait(false);
    }

    public override Task<UndrainResponse> Undrain(UndrainRequest request, ServerCallContext context)
    {
        RequireMutating(context, "Undrain");
        _node.Undrain();
        return Task.FromResult(new UndrainResponse());
    }

    public override Task<MoveResponse> Move(MoveRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireMutating(context, "Move");
        if (request.Vip.Length == 0)
        {
            throw Refuse(StatusCode.InvalidArgument, "vip is required");
        }

        return Task.FromResult(_node.Move(request.Vip, request.Node));
    }

    public override Task<SetMaintenanceResponse> SetMaintenance(SetMaintenanceRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireMutating(context, "SetMaintenance");
        return Task.FromResult(new SetMaintenanceResponse { Mode = _node.SetMaintenance(request.Enabled) });
    }

    public override Task<ReloadResponse> Reload(ReloadRequest request, ServerCallContext context)
    {
        RequireMutating(context, "Reload");
        var result = _node.Reload();
        if (!result.Ok)
        {
            // The status carries the errors for people; the trailer carries the whole result for programs.
            var lines = string.Join("; ", result.Errors.Select(e => $"{e.File}:{e.Line}:{e.Column}: {e.Message}"));
            var trailers = new Metadata { { ReloadResultTrailer, new ReloadResponse { Result = result }.ToByteArray() } };
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"config refused, the running config stays: {lines}"), trailers);
        }

        return Task.FromResult(new ReloadResponse { Result = result });
    }

    public override Task<ApplyVipsResponse> ApplyVips(ApplyVipsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireMutating(context, "ApplyVips");
        return Task.FromResult(_node.ApplyVips(request));
    }

    public override Task<RemoveVipsResponse> RemoveVips(RemoveVipsRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireMutating(context, "RemoveVips");
        return Task.FromResult(_node.RemoveVips(request));
    }

    /// <summary>Binary trailer of a refused Reload: the serialized <see cref="ReloadResponse"/> with the errors.</summary>
    public const string ReloadResultTrailer = "vipd-reload-result-bin";

    private void RequireMutating(ServerCallContext context, string method)
    {
        var caller = IdentifyCaller(context);
        var who = caller.Describe();
        if (_policy.DenyMutating(caller, method) is { } why)
        {
            LogDenied(_logger, method, who);
            throw Refuse(StatusCode.PermissionDenied, why);
        }

        LogMutating(_logger, method, who);
    }

    private static RpcException Refuse(StatusCode code, string message) => new(new Status(code, message));

    private static CallerIdentity DefaultIdentify(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        if (http.Features.Get<CallerIdentity>() is { } identity)
        {
            return identity;
        }

        return CallerIdentity.Unknown;
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "API {Method} called by {Caller}")]
    private static partial void LogMutating(ILogger logger, string method, string caller);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "API {Method} refused for {Caller}: permission denied")]
    private static partial void LogDenied(ILogger logger, string method, string caller);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Warning, Message = "A Watch client fell {Count} events behind and was disconnected")]
    private static partial void LogWatcherCutOff(ILogger logger, int count);
}
