using Vipd.Core.Config;
using Vipd.Core.Membership;

namespace Vipd.Tests.Hosting;

/// <summary>Every [cluster] timing reaches the membership, and an empty [cluster] means the membership's own defaults.</summary>
public sealed class MembershipOptionsMappingTests
{
    private const string Head = "[node]\nname = \"n1\"\naddress = \"192.0.2.11\"\n[cluster]\nkey_file = \"/k\"\n";
    private static readonly ConfigLoadOptions NoFiles = new() { CheckFiles = false };

    [Theory]
    [InlineData("default")]
    [InlineData("fast")]
    public void MembershipOptionsFor_NoTimingsSet_ProfileDefaultsUnchanged(string profile)
    {
        var config = ConfigLoader.Parse($"{Head}profile = \"{profile}\"\n", "x.toml", NoFiles);
        Assert.True(config.IsValid, string.Join("\n", config.Errors));

        var options = Vipd.Core.Nodes.Node.MembershipOptionsFor(config.Config.Cluster);

        Assert.Equal(profile == "fast" ? MembershipOptions.Fast : MembershipOptions.Default, options);
    }

    [Fact]
    public void MembershipOptionsFor_EveryTimingSet_EveryOneApplied()
    {
        var config = ConfigLoader.Parse(Head + """
            probe_interval = "200ms"
            probe_timeout = "50ms"
            indirect_probe_timeout = "70ms"
            indirect_checks = 2
            suspicion_min = "300ms"
            suspicion_max = "1200ms"
            gossip_interval = "40ms"
            gossip_fanout = 4
            push_pull_interval = "20s"
            reconnect_interval = "2s"
            """, "x.toml", NoFiles);
        Assert.True(config.IsValid, string.Join("\n", config.Errors));

        var options = Vipd.Core.Nodes.Node.MembershipOptionsFor(config.Config.Cluster);

        Assert.Equal(TimeSpan.FromMilliseconds(200), options.ProbeInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.ProbeTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(70), options.IndirectProbeTimeout);
        Assert.Equal(2, options.IndirectChecks);
        Assert.Equal(TimeSpan.FromMilliseconds(300), options.SuspicionMinimum);
        Assert.Equal(4, options.SuspicionMaximumMultiplier);
        Assert.Equal(TimeSpan.FromMilliseconds(40), options.GossipInterval);
        Assert.Equal(4, options.GossipFanout);
        Assert.Equal(TimeSpan.FromSeconds(20), options.PushPullInterval);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ReconnectInterval);
        options.Validate();
    }
}
