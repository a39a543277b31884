namespace Vipd.Core.Config;

/// <summary>The duration settings one <see cref="MembershipProfile"/> stands for.</summary>
public sealed record MembershipTimings(
    TimeSpan ProbeInterval,
    TimeSpan ProbeTimeout,
    TimeSpan SuspicionMin,
    TimeSpan SuspicionMax,
    TimeSpan GossipInterval,
    TimeSpan PushPullInterval,
    TimeSpan IndirectProbeTimeout,
    TimeSpan ReconnectInterval);
