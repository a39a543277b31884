using Vipd.Core.Config;

namespace Vipd.Core.Tests.Config;

public class ConfigEqualityTests
{
    private static readonly ConfigLoadOptions Options = new() { CheckFiles = false, HostName = "testhost" };

    private static VipdConfig Example(Func<string, string>? edit = null)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Examples, "three-nodes-spread.toml"));
        var result = ConfigLoader.Parse(edit is null ? text : edit(text), "/etc/vipd/vipd.toml", Options);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return result.Config;
    }

    [Fact]
    public void Equals_SameTextLoadedTwice_EqualWithListsCompared()
    {
        var a = Example();
        var b = Example();

        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(a.Vips[5].Nodes, b.Vips[5].Nodes);
        Assert.Equal(a.Cluster.Peers, b.Cluster.Peers);
    }

    [Fact]
    public void Equals_OneVipAddressChanged_ConfigAndThatVipDiffer()
    {
        var a = Example();
        var b = Example(t => t.Replace("192.0.2.203/24", "192.0.2.213/24", StringComparison.Ordinal));

        Assert.NotEqual(a, b);
        Assert.NotEqual(a.FindVip("svc-c"), b.FindVip("svc-c"));
        Assert.Equal(a.FindVip("svc-a"), b.FindVip("svc-a"));
    }

    [Fact]
    public void Equals_ListElementChanged_Differs()
    {
        var a = Example();
        var b = Example(t => t.Replace("nodes = [\"n2\", \"n3\"]", "nodes = [\"n3\", \"n2\"]", StringComparison.Ordinal));

        Assert.NotEqual(a.FindVip("svc-f"), b.FindVip("svc-f"));
    }

    [Fact]
    public void EquatableArray_ContentEquality_NotReference()
    {
        EquatableArray<string> a = new(["x", "y"]);
        EquatableArray<string> b = new(new List<string> { "x", "y" });
        EquatableArray<string> c = new(["y", "x"]);

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.Equal(default(EquatableArray<string>), new EquatableArray<string>([]));
        Assert.Empty(default(EquatableArray<string>));
    }

    [Fact]
    public void Compute_EqualConfigs_EmptyDiff()
    {
        Assert.True(ConfigDiff.Compute(Example(), Example()).IsEmpty);
    }

    [Fact]
    public void Compute_VipChangedAddedRemoved_ReportedByName()
    {
        var a = Example();
        var b = Example(t => t
            .Replace("192.0.2.203/24", "192.0.2.213/24", StringComparison.Ordinal)
            .Replace("name = \"svc-d\"", "name = \"svc-z\"", StringComparison.Ordinal));

        var diff = ConfigDiff.Compute(a, b);

        Assert.Equal(["svc-c"], diff.VipsChanged);
        Assert.Equal(["svc-z"], diff.VipsAdded);
        Assert.Equal(["svc-d"], diff.VipsRemoved);
        Assert.Empty(diff.RestartRequired);
        Assert.Empty(diff.ChecksChanged);
        Assert.False(diff.IsEmpty);
    }

    [Fact]
    public void Compute_CheckAndClusterChanged_Reported()
    {
        var a = Example();
        var b = Example(t => t
            .Replace("address = \"127.0.0.1:8404\"", "address = \"127.0.0.1:8405\"", StringComparison.Ordinal)
            .Replace("quorum = true", "quorum = false", StringComparison.Ordinal));

        var diff = ConfigDiff.Compute(a, b);

        Assert.Equal(["haproxy"], diff.ChecksChanged);
        Assert.Equal(["cluster"], diff.RestartRequired);
        Assert.Empty(diff.VipsChanged);
    }
}
