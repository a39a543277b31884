using System.Net;
using Vipd.Kubernetes.Config;

namespace Vipd.Kubernetes.Tests;

public class ConfigLoaderTests
{
    [Fact]
    public void Parse_FullFile_ReadsEveryKey()
    {
        const string Text = """
            [vipd]
            socket = "/run/vipd/test.sock"

            [node]
            name = "n7"
            interface = "eth1"

            [kubernetes]
            kubeconfig = "/etc/vipd/kubeconfig"
            context = "lab"
            load_balancer_class = "vipd.io/l2"
            debounce = "50ms"
            resync = "30s"

            [lease]
            namespace = "vipd-system"
            name = "vipd-k8s-lab"
            duration = "9s"
            renew_deadline = "6s"
            retry_period = "1s"

            [[pool]]
            name = "web"
            addresses = ["192.0.2.10-192.0.2.20", "2001:db8:1::/120"]
            interface = "eth2"
            ipv4_prefix_length = 24

            [[pool]]
            name = "manual"
            addresses = ["198.51.100.0/28"]
            auto_assign = false
            """;

        var result = ConfigLoader.Parse(Text, "k8s.toml", "host");

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var config = result.Config!;
        Assert.Equal("/run/vipd/test.sock", config.VipdSocket);
        Assert.Equal("n7", config.NodeName);
        Assert.Equal("eth1", config.Interface);
        Assert.Equal("/etc/vipd/kubeconfig", config.Kubeconfig);
        Assert.Equal("lab", config.Context);
        Assert.Equal("vipd.io/l2", config.LoadBalancerClass);
        Assert.Equal(TimeSpan.FromMilliseconds(50), config.Debounce);
        Assert.Equal(TimeSpan.FromSeconds(30), config.Resync);
        Assert.Equal("vipd-system", config.Lease.Namespace);
        Assert.Equal(TimeSpan.FromSeconds(9), config.Lease.Duration);
        Assert.Equal(2, config.Pools.Count);
        Assert.Equal(24, config.Pools[0].Ipv4PrefixLength);
        Assert.Equal("eth2", config.Pools[0].Interface);
        Assert.True(config.Pools[0].Ranges[1].Contains(IPAddress.Parse("2001:db8:1::ff")));
        Assert.False(config.Pools[1].AutoAssign);
        // 198.51.100.0/28 without its network and broadcast addresses.
        Assert.False(config.Pools[1].Ranges[0].Contains(IPAddress.Parse("198.51.100.0")));
        Assert.True(config.Pools[1].Ranges[0].Contains(IPAddress.Parse("198.51.100.1")));
        Assert.False(config.Pools[1].Ranges[0].Contains(IPAddress.Parse("198.51.100.15")));
    }

    [Fact]
    public void Parse_Minimal_UsesDefaults()
    {
        var result = ConfigLoader.Parse("[[pool]]\nname = \"p\"\naddresses = [\"192.0.2.1\"]\n", "k8s.toml", "host-a");

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal("host-a", result.Config!.NodeName);
        Assert.Equal("/run/vipd/vipd.sock", result.Config.VipdSocket);
        Assert.Null(result.Config.Kubeconfig);
        Assert.Null(result.Config.LoadBalancerClass);
        Assert.Equal(TimeSpan.FromSeconds(15), result.Config.Lease.Duration);
    }

    [Fact]
    public void Parse_Mistakes_AllReportedWithLineAndColumn()
    {
        const string Text = """
            [node]
            nmae = "n1"

            [kubernetes]
            debounce = "2s"

            [[pool]]
            name = "a"
            addresses = ["192.0.2.0/24", "192.0.2.10-192.0.2.5"]

            [[pool]]
            name = "b"
            addresses = ["192.0.2.7", "2001:db8::1/64"]
            """;

        var errors = ConfigLoader.Parse(Text, "k8s.toml", "host").Errors.Select(e => e.ToString()).ToList();

        Assert.Equal(
            [
                "k8s.toml:2:1: unknown key 'nmae' in [node]; did you mean 'name'?",
                "k8s.toml:5:12: 'debounce' in [kubernetes] must be at most 200ms",
                "k8s.toml:9:30: address range '192.0.2.10-192.0.2.5' ends before it starts",
                "k8s.toml:13:14: '192.0.2.7' overlaps 192.0.2.1-192.0.2.254 of pool 'a'",
                "k8s.toml:13:27: '2001:db8::1/64' has host bits set; the network is 2001:db8::/64",
            ],
            errors);
    }

    [Fact]
    public void Parse_NoPool_IsAnError()
    {
        var result = ConfigLoader.Parse("[node]\nname = \"n1\"\n", "k8s.toml", "host");

        Assert.False(result.Ok);
        Assert.Equal("k8s.toml:1:1: no [[pool]]: give at least one pool of addresses", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Parse_SyntaxError_HasPosition()
    {
        var result = ConfigLoader.Parse("[node\nname = 1\n", "k8s.toml", "host");

        Assert.False(result.Ok);
        Assert.StartsWith("k8s.toml:1:", result.Errors[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SyntaxError_SaysItInLowerCaseLikeVipd()
    {
        var result = ConfigLoader.Parse("[node\nname = 1\n", "k8s.toml", "host");

        var message = result.Errors[0].Message;
        Assert.True(char.IsLower(message[0]), message);
        Assert.False(message.EndsWith('.'), message);
    }

    [Fact]
    public void Load_MissingFile_SaysNoSuchFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vipd-k8s-missing-{Guid.NewGuid():N}.toml");

        var result = ConfigLoader.Load(path, "host");

        Assert.False(result.Ok);
        Assert.Equal($"{path}:1:1: cannot read the config file: no such file", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Load_Directory_SaysItIsADirectory()
    {
        var result = ConfigLoader.Load(Path.GetTempPath(), "host");

        Assert.Equal($"{Path.GetTempPath()}:1:1: cannot read the config file: it is a directory", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Load_ExampleConfig_IsValid()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "vipd.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var result = ConfigLoader.Load(Path.Combine(root.FullName, "examples", "kubernetes", "vipd-k8s.toml"), "host");

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        Assert.Equal(2, result.Config!.Pools.Count);
        Assert.Equal("vipd-system", result.Config.Lease.Namespace);
    }
}
