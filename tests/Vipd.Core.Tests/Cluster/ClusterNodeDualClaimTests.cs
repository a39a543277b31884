using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Cluster;
using Vipd.Core.Election;
using Vipd.Core.Membership;

namespace Vipd.Core.Tests.Cluster;

/// <summary>
/// Two real <see cref="ClusterNode"/>s whose records reach each other only when the test delivers them, each with an
/// announcer that applies a desired set only when the test says so (its held set lags its desired set, as in vipd).
/// </summary>
public sealed class ClusterNodeDualClaimTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly Side _a;
    private readonly Side _b;

    public ClusterNodeDualClaimTests()
    {
        _a = new Side("a", _time);
        _b = new Side("b", _time);
        _a.Membership.Peer("b", MemberState.Alive);
        _b.Membership.Peer("a", MemberState.Alive);
    }

    public void Dispose()
    {
        _a.Node.Dispose();
        _b.Node.Dispose();
    }

    [Fact]
    public void VipAddedToHolderThenToRankOne_PreemptOff_FirstHolderKeepsItWithoutFlapping()
    {
        var web = new VipSpec("web", false, TimeSpan.Zero, null);

        // a gets the VIP first, claims it and holds it.
        _a.Add(web, 100);
        _a.ApplyAll();
        Assert.Equal(["web"], _a.Held);

        // b (rank 1: priority 200) gets it a few ms later, before a's claim reached it: it claims it too.
        _time.Advance(TimeSpan.FromMilliseconds(3));
        _b.Add(web, 200);
        Assert.Equal(["web"], _b.Node.Desired);

        // a's claim reaches b while b's announcer is still adding the address.
        Deliver(_a, _b);
        Assert.Empty(_b.Node.Desired);

        // The announcer finishes its work in order (the add, then the removal); gossip runs between each step.
        var holders = new List<string>();
        for (var round = 0; round < 50; round++)
        {
            _b.ApplyOne();
            _a.ApplyOne();
            Deliver(_b, _a);
            Deliver(_a, _b);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            var now = string.Join("+", new[] { _a, _b }.Where(s => s.Node.Desired.Contains("web")).Select(s => s.Name));
            if (holders.Count == 0 || holders[^1] != now)
            {
                holders.Add(now);
            }
        }

        // One holder, the first one, on both nodes' views, and the loser never claims it again.
        Assert.Equal(["a"], holders);
        Assert.Equal("a", _a.Node.Owners["web"]);
        Assert.Equal("a", _b.Node.Owners["web"]);
        Assert.Equal(["web"], _a.Held);
        Assert.Empty(_b.Held);
        Assert.True(_b.Changes.Count <= 2, string.Join(Environment.NewLine, _b.Changes));
    }

    [Fact]
    public void BothHoldBeforeSeeingEachOther_PreemptOff_BothPickTheBestRankedClaimant()
    {
        var web = new VipSpec("web", false, TimeSpan.Zero, null);
        _a.Add(web, 100);
        _a.ApplyAll();
        _b.Add(web, 200);
        _b.ApplyAll();
        Assert.Equal(["web"], _a.Held);
        Assert.Equal(["web"], _b.Held);

        for (var round = 0; round < 20; round++)
        {
            Deliver(_a, _b);
            Deliver(_b, _a);
            _a.ApplyAll();
            _b.ApplyAll();
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Empty(_a.Held);
        Assert.Equal(["web"], _b.Held);
        Assert.Equal("b", _a.Node.Owners["web"]);
        Assert.Equal("b", _b.Node.Owners["web"]);
    }

    private static void Deliver(Side from, Side to)
    {
        if (from.Membership.LastBytes is { } bytes)
        {
            to.Membership.Deliver(from.Name, bytes);
        }
    }

    private sealed class Side
    {
        private readonly Queue<IReadOnlySet<string>> _pending = new();

        public Side(string name, FakeTimeProvider time)
        {
            Name = name;
            Membership = new FakeMembership(name);
            Node = new ClusterNode(name, new ClusterOptions(false, 2, TimeSpan.FromSeconds(5)) { StartupGrace = TimeSpan.Zero }, Membership, time, null);
            Node.DesiredChanged += _pending.Enqueue;
            Node.OwnershipChanged += Changes.Add;
        }

        public string Name { get; }

        public FakeMembership Membership { get; }

        public ClusterNode Node { get; }

        public List<OwnershipChange> Changes { get; } = [];

        /// <summary>What this node's announcer holds: the last desired set it applied.</summary>
        public HashSet<string> Held { get; private set; } = new(StringComparer.Ordinal);

        public void Add(VipSpec vip, int priority)
        {
            Node.SetVips([vip]);
            Node.SetLocalState(false, new Dictionary<string, LocalVipState> { [vip.Name] = new(true, priority) });
        }

        /// <summary>The announcer finishes applying the oldest desired set it was given and reports what it holds.</summary>
        public void ApplyOne()
        {
            if (_pending.TryDequeue(out var set))
            {
                Held = new HashSet<string>(set, StringComparer.Ordinal);
                Node.ReportHeld([.. Held]);
            }
        }

        public void ApplyAll()
        {
            for (var i = 0; i < 100 && _pending.Count > 0; i++)
            {
                ApplyOne();
            }
        }
    }
}
