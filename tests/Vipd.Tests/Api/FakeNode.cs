using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using Vipd.Api;
using Vipd.Api.V1;

namespace Vipd.Tests.Api;

/// <summary>A scripted node behind the API: records the commands it got.</summary>
internal sealed class FakeNode : INodeApi
{
    public EventHub Events { get; } = new(new FakeTimeProvider());

    public List<string> Commands { get; } = [];

    public ReloadResult NextReload { get; set; } = new() { Ok = true };

    public GetStatusResponse GetStatus() => new() { Node = "n1", Mode = NodeMode.Active };

    public IReadOnlyList<Vip> ListVips() =>
        [new Vip { Name = "api", Source = "k8s" }, new Vip { Name = "web", Source = "config", Owner = "n1" }];

    public IReadOnlyList<Member> ListMembers() => [new Member { Name = "n1", Local = true, State = MemberState.Alive }];

    public ExplainResponse? Explain(string vip) => vip == "web" ? new ExplainResponse { Vip = "web", Owner = "n1" } : null;

    public Snapshot Snapshot()
    {
        var snapshot = new Snapshot { Status = GetStatus() };
        snapshot.Vips.AddRange(ListVips());
        return snapshot;
    }

    public Task<DrainResponse> DrainAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        Commands.Add($"drain {wait.TotalSeconds}");
        return Task.FromResult(new DrainResponse { Complete = true });
    }

    public void Undrain() => Commands.Add("undrain");

    public NodeMode SetMaintenance(bool enabled)
    {
        Commands.Add($"maintenance {enabled}");
        return enabled ? NodeMode.Maintenance : NodeMode.Active;
    }

    public ReloadResult Reload()
    {
        Commands.Add("reload");
        return NextReload;
    }

    public MoveResponse Move(string vip, string node)
    {
        Commands.Add($"move {vip} {node}");
        return vip == "web" ? new MoveResponse { Owner = node } : throw new RpcException(new Status(StatusCode.NotFound, "no VIP"));
    }

    public ApplyVipsResponse ApplyVips(ApplyVipsRequest request)
    {
        Commands.Add($"apply {request.Source}");
        return new ApplyVipsResponse();
    }

    public RemoveVipsResponse RemoveVips(RemoveVipsRequest request)
    {
        Commands.Add($"remove {request.Source}");
        return new RemoveVipsResponse();
    }
}
