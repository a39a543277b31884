using Vipd.Api.V1;

namespace Vipd.Api;

/// <summary>
/// What the gRPC service needs from the running node (implemented by <c>NodeService</c>; tests substitute a fake).
/// Methods answer in the API's own types; a refused request throws <see cref="Grpc.Core.RpcException"/> with its
/// status code and a human message.
/// </summary>
internal interface INodeApi
{
    /// <summary>The daemon's events, for Watch.</summary>
    EventHub Events { get; }

    GetStatusResponse GetStatus();

    /// <summary>Every VIP (configured and dynamic), ordered by name.</summary>
    IReadOnlyList<Vip> ListVips();

    /// <summary>Every member, this node included, ordered by name.</summary>
    IReadOnlyList<Member> ListMembers();

    /// <summary>The explanation, or null when no VIP has that name.</summary>
    ExplainResponse? Explain(string vip);

    /// <summary>Status, VIPs and members at one moment (called under the event hub's lock).</summary>
    Snapshot Snapshot();

    Task<DrainResponse> DrainAsync(TimeSpan wait, CancellationToken cancellationToken);

    void Undrain();

    NodeMode SetMaintenance(bool enabled);

    /// <summary>Re-reads the config file (as SIGHUP does); a bad file leaves the running config and returns ok = false with its errors.</summary>
    ReloadResult Reload();

    MoveResponse Move(string vip, string node);

    ApplyVipsResponse ApplyVips(ApplyVipsRequest request);

    RemoveVipsResponse RemoveVips(RemoveVipsRequest request);
}
