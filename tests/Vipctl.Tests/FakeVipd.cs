using System.Collections.Concurrent;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Vipd.Api.V1;

namespace Vipctl.Tests;

/// <summary>
/// An in-process <c>VipdService</c> with a fixed three-node cluster: canned answers, every request recorded, and
/// any method made to fail with a chosen status.
/// </summary>
public sealed class FakeVipd : VipdService.VipdServiceBase
{
    /// <summary>The clock of every test: answers and "ago" columns are computed from it.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public ConcurrentQueue<IMessage> Requests { get; } = new();

    /// <summary>Method name (e.g. "GetStatus") to the status it fails with.</summary>
    public ConcurrentDictionary<string, Status> Failures { get; } = new();

    public DrainResponse DrainAnswer { get; set; } = new() { Complete = true };

    public RemoveVipsResponse RemoveAnswer { get; set; } = new() { Removed = { "api" }, Version = 4 };

    public ReloadResult ReloadAnswer { get; set; } = new()
    {
        Time = At(-1),
        Ok = true,
        ConfigDigest = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        Added = { "db" },
        Changed = { "web" },
    };

    public static Timestamp At(double secondsFromNow) => Timestamp.FromDateTimeOffset(Now.AddMilliseconds(Math.Round(secondsFromNow * 1000)));

    public static GetStatusResponse Status() => new()
    {
        Node = "n1",
        Version = "0.1.0",
        StartedAt = At(-3723),
        Uptime = Duration.FromTimeSpan(TimeSpan.FromSeconds(3723)),
        ConfigPath = "/etc/vipd/vipd.toml",
        ConfigDigest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
        ConfigLoadedAt = At(-600),
        Quorum = new Quorum { Required = true, Present = true, Live = 3, Expected = 3, Needed = 2 },
        Mode = NodeMode.Active,
        VipsTotal = 3,
        VipsHeld = 1,
        MembersAlive = 2,
        MembersTotal = 3,
    };

    public static IEnumerable<Vip> Vips() =>
    [
        new Vip
        {
            Name = "api", Address = "203.0.113.10/24", Interface = "eth0", Source = "automation", Owner = "n2",
            Holders = { "n2" }, State = VipState.Standby, EligibleNodes = { "n2", "n1" }, LastChange = At(-42),
            LastChangeReason = "applied by automation", Preempt = true, Mode = "l2",
        },
        new Vip
        {
            Name = "db", Address = "2001:db8::20/64", Interface = "eth1", Source = "config", Owner = string.Empty,
            State = VipState.Unowned, LastChange = At(-5), LastChangeReason = "no eligible node", Preempt = false,
            PreemptDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)), Mode = "bgp", Policy = "active-standby",
        },
        new Vip
        {
            Name = "web", Address = "192.0.2.200/24", Interface = "eth0", Source = "config", Owner = "n1",
            Holders = { "n1", "n3" }, State = VipState.Holding, EligibleNodes = { "n1", "n3" }, LastChange = At(-90.5),
            LastChangeReason = "n3 drained", PreferredNode = "n1", AllowedNodes = { "n1", "n3" }, Preempt = true, Mode = "l2",
        },
    ];

    public static IEnumerable<Member> Members() =>
    [
        new Member
        {
            Name = "n1", Address = "192.0.2.11:7450", State = MemberState.Alive, Incarnation = 3, Local = true,
            Vips = { new VipHealth { Vip = "web", Eligible = true, Priority = 200, Holding = true }, new VipHealth { Vip = "api", Eligible = true, Priority = 100 } },
        },
        new Member
        {
            Name = "n2", Address = "192.0.2.12:7450", State = MemberState.Alive, Incarnation = 1, LastHeard = At(-0.2),
            Vips = { new VipHealth { Vip = "api", Eligible = true, Priority = 100, Holding = true } },
        },
        new Member
        {
            Name = "n3", Address = "192.0.2.13:7450", State = MemberState.Suspect, Incarnation = 7, Draining = true, LastHeard = At(-3.4),
        },
    ];

    public static IEnumerable<WatchEvent> Events()
    {
        var snapshot = new Snapshot { Status = Status() };
        snapshot.Vips.AddRange(Vips());
        snapshot.Members.AddRange(Members());
        yield return new WatchEvent { Sequence = 1, Time = At(0), Snapshot = snapshot };
        yield return new WatchEvent { Sequence = 2, Time = At(1), Member = new MemberEvent { Member = new Member { Name = "n3", State = MemberState.Dead, Incarnation = 7 }, PreviousState = MemberState.Suspect } };
        yield return new WatchEvent { Sequence = 3, Time = At(1.2), Ownership = new OwnershipEvent { Vip = "db", PreviousOwner = string.Empty, Owner = "n1", Reason = "n3 dead", State = VipState.Holding } };
        yield return new WatchEvent { Sequence = 4, Time = At(2), Check = new CheckEvent { Check = "nginx", Passing = false, Detail = "exit code 1", Vips = { "web" } } };
        yield return new WatchEvent { Sequence = 5, Time = At(3), Conflict = new ConflictEvent { Vip = "web", Address = "192.0.2.200", OtherMac = "02:00:00:00:00:99", Interface = "eth0" } };
        yield return new WatchEvent { Sequence = 6, Time = At(4), Reload = new ReloadResult { Time = At(4), Ok = true, ConfigDigest = "sha256:9f86d081884c7d659a2feaa0c55ad015", Removed = { "old" } } };
        yield return new WatchEvent { Sequence = 7, Time = At(5), Mode = new ModeEvent { Previous = NodeMode.Active, Mode = NodeMode.Maintenance } };
        yield return new WatchEvent { Sequence = 8, Time = At(6), DynamicVips = new DynamicVipsEvent { Source = "automation", Applied = { "api" }, OriginNode = "n2" } };
    }

    public override Task<GetStatusResponse> GetStatus(GetStatusRequest request, ServerCallContext context) =>
        Answer(request, () => Status());

    public override Task<ListVipsResponse> ListVips(ListVipsRequest request, ServerCallContext context) => Answer(request, () =>
    {
        var response = new ListVipsResponse();
        response.Vips.AddRange(Vips().Where(v => request.Source.Length == 0 || v.Source == request.Source));
        return response;
    });

    public override Task<ListMembersResponse> ListMembers(ListMembersRequest request, ServerCallContext context) =>
        Answer(request, () => new ListMembersResponse { Members = { Members() } });

    public override Task<ExplainResponse> Explain(ExplainRequest request, ServerCallContext context) => Answer(request, () =>
        request.Vip != "web"
            ? throw new RpcException(new Grpc.Core.Status(StatusCode.NotFound, $"no VIP named {request.Vip}"))
            : new ExplainResponse
            {
                Vip = "web",
                Owner = "n1",
                Summary = "n1 owns it: rank 1 (preferred by move)",
                Candidates =
                {
                    new Candidate { Node = "n1", Rank = 1, Reason = "rank 1: priority 200, eligible, preferred" },
                    new Candidate { Node = "n2", Rank = 0, Reason = "not eligible: not in allowed_nodes" },
                    new Candidate { Node = "n3", Rank = 0, Reason = "not eligible: draining" },
                },
                ReconsiderAt = At(8),
                Mode = "l2",
            });

    /// <summary>After the events, one more mode event every 50 ms (at most 400) until the client goes away.</summary>
    public bool WatchKeepsSending { get; set; }

    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchEvent> responseStream, ServerCallContext context)
    {
        await Answer(request, () => new Empty());
        foreach (var e in Events())
        {
            await responseStream.WriteAsync(e, context.CancellationToken);
        }

        for (var i = 0; WatchKeepsSending && i < 400 && !context.CancellationToken.IsCancellationRequested; i++)
        {
            await Task.Delay(50, context.CancellationToken);
            await responseStream.WriteAsync(new WatchEvent { Sequence = (ulong)(100 + i), Time = At(i), Mode = new ModeEvent { Mode = NodeMode.Active } }, context.CancellationToken);
        }
    }

    public override Task<DrainResponse> Drain(DrainRequest request, ServerCallContext context) => Answer(request, () => DrainAnswer);

    public override Task<UndrainResponse> Undrain(UndrainRequest request, ServerCallContext context) => Answer(request, () => new UndrainResponse());

    public override Task<MoveResponse> Move(MoveRequest request, ServerCallContext context) =>
        Answer(request, () => new MoveResponse { PreviousPreferredNode = "n1", Owner = request.Node.Length == 0 ? "n1" : request.Node });

    public override Task<SetMaintenanceResponse> SetMaintenance(SetMaintenanceRequest request, ServerCallContext context) =>
        Answer(request, () => new SetMaintenanceResponse { Mode = request.Enabled ? NodeMode.Maintenance : NodeMode.Active });

    /// <summary>Refuse a bad reload as vipd does: FAILED_PRECONDITION, the result in a binary trailer.</summary>
    public bool ReloadRefusedInTrailer { get; set; }

    public override Task<ReloadResponse> Reload(ReloadRequest request, ServerCallContext context) => Answer(request, () =>
    {
        if (ReloadRefusedInTrailer && !ReloadAnswer.Ok)
        {
            var trailers = new Metadata { { "vipd-reload-result-bin", new ReloadResponse { Result = ReloadAnswer }.ToByteArray() } };
            throw new RpcException(new Grpc.Core.Status(StatusCode.FailedPrecondition, "config refused, the running config stays: " + ReloadAnswer.Errors[0]), trailers);
        }

        return new ReloadResponse { Result = ReloadAnswer };
    });

    public override Task<ApplyVipsResponse> ApplyVips(ApplyVipsRequest request, ServerCallContext context) =>
        Answer(request, () => new ApplyVipsResponse { Added = { request.Vips.Select(v => v.Name) }, Unchanged = { "api" }, Version = 3 });

    public override Task<RemoveVipsResponse> RemoveVips(RemoveVipsRequest request, ServerCallContext context) =>
        Answer(request, () => RemoveAnswer);

    private Task<T> Answer<T>(IMessage request, Func<T> answer, [System.Runtime.CompilerServices.CallerMemberName] string method = "")
    {
        Requests.Enqueue(request);
        return Failures.TryGetValue(method, out var status) ? throw new RpcException(status) : Task.FromResult(answer());
    }
}
