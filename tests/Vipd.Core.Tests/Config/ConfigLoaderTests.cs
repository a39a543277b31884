using System.Net;
using Microsoft.Extensions.Logging;
using Vipd.Core.Config;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Config;

public class ConfigLoaderTests
{
    private static readonly ConfigLoadOptions NoFiles = new() { CheckFiles = false, HostName = "testhost", BaseDirectory = "/etc/vipd" };

    private const string Minimal = """
        [node]
        address = "192.0.2.11"
        interface = "eth0"

        [cluster]
        key_file = "cluster.key"

        [[vip]]
        name = "web"
        address = "192.0.2.200/24"
        """;

    private const string EveryKey = """
        [node]
        name = "n1"
        address = "192.0.2.11"
        port = 7451
        interface = "eth0"

        [cluster]
        peers = ["192.0.2.12", "192.0.2.13:7460"]
        key_file = "/etc/vipd/other.key"
        quorum = true
        expected_nodes = 6
        node_names = ["n1", "n2", "n3"]
        profile = "fast"
        probe_interval = "300ms"
        probe_timeout = "120ms"
        indirect_checks = 2
        suspicion_min = "1s"
        suspicion_max = "1m30s"
        gossip_interval = "75ms"
        gossip_fanout = 4
        push_pull_interval = "2m"

        [api]
        socket = "/run/vipd/other.sock"
        tcp = "127.0.0.1:7451"
        tls_cert = "/etc/vipd/api.pem"
        tls_key = "api.key"
        tls_client_ca = "/etc/vipd/ca.pem"
        mutating_group = "vipd"

        [metrics]
        address = "127.0.0.1:9475"

        [logging]
        level = "debug"
        format = "json"

        [[vip]]
        name = "web"
        address = "2001:db8::200/64"
        interface = "eth1"
        priority = 50
        priorities = { n2 = 200, n1 = 150 }
        preempt = false
        preempt_delay = "30s"
        nodes = ["n1", "n2"]
        checks = ["exec", "http"]

        [vip.announce]
        count = 7
        interval = "150ms"
        second_burst_after = "0s"
        refresh = "2m"

        [[check]]
        name = "exec"
        type = "exec"
        command = ["/bin/true", "x"]
        user = "nobody"
        interval = "2s"
        timeout = "1500ms"
        rise = 3
        fall = 4
        weight = -20

        [[check]]
        name = "tcp"
        type = "tcp"
        address = "localhost:8080"

        [[check]]
        name = "http"
        type = "http"
        url = "http://127.0.0.1:10254/healthz"
        expect_status = 204

        [[check]]
        name = "https"
        type = "https"
        url = "https://127.0.0.1/"
        insecure_skip_verify = true

        [[check]]
        name = "link"
        type = "interface"
        interface = "bond0"

        [[check]]
        name = "flag"
        type = "file"
        path = "/run/ready"
        """;

    private static VipdConfig LoadValid(string text)
    {
        var result = ConfigLoader.Parse(text, "vipd.toml", NoFiles);
        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        return result.Config;
    }

    [Fact]
    public void Parse_EveryKey_AllValuesTyped()
    {
        var c = LoadValid(EveryKey);

        Assert.Equal("n1", c.Node.Name);
        Assert.Equal(IPAddress.Parse("192.0.2.11"), c.Node.Address);
        Assert.Equal(7451, c.Node.Port);
        Assert.Equal("eth0", c.Node.Interface);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.11"), 7451), c.Node.EndPoint);

        Assert.Equal([IPEndPoint.Parse("192.0.2.12:7451"), IPEndPoint.Parse("192.0.2.13:7460")], c.Cluster.Peers);
        Assert.Equal("/etc/vipd/other.key", c.Cluster.KeyFile);
        Assert.True(c.Cluster.Quorum);
        Assert.Equal(6, c.Cluster.ExpectedNodes);
        Assert.Equal(["n1", "n2", "n3"], c.Cluster.NodeNames);
        Assert.Equal(MembershipProfile.Fast, c.Cluster.Profile);
        Assert.Equal(TimeSpan.FromMilliseconds(300), c.Cluster.ProbeInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(120), c.Cluster.ProbeTimeout);
        Assert.Equal(2, c.Cluster.IndirectChecks);
        Assert.Equal(TimeSpan.FromSeconds(1), c.Cluster.SuspicionMin);
        Assert.Equal(TimeSpan.FromSeconds(90), c.Cluster.SuspicionMax);
        Assert.Equal(TimeSpan.FromMilliseconds(75), c.Cluster.GossipInterval);
        Assert.Equal(4, c.Cluster.GossipFanout);
        Assert.Equal(TimeSpan.FromMinutes(2), c.Cluster.PushPullInterval);

        Assert.Equal("/run/vipd/other.sock", c.Api.Socket);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:7451"), c.Api.Tcp);
        Assert.Equal(new TlsConfig { CertificateFile = "/etc/vipd/api.pem", KeyFile = "/etc/vipd/api.key", ClientCaFile = "/etc/vipd/ca.pem" }, c.Api.Tls);
        Assert.Equal("vipd", c.Api.MutatingGroup);
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:9475"), c.Metrics.Address);
        Assert.Equal(LogLevel.Debug, c.Logging.Level);
        Assert.Equal(LogFormat.Json, c.Logging.Format);

        var vip = Assert.Single(c.Vips);
        Assert.Equal("web", vip.Name);
        Assert.Equal(IPAddress.Parse("2001:db8::200"), vip.Address);
        Assert.Equal(64, vip.PrefixLength);
        Assert.True(vip.IsIPv6);
        Assert.Equal("eth1", vip.Interface);
        Assert.Equal(50, vip.Priority);
        Assert.Equal([new NodePriority("n1", 150), new NodePriority("n2", 200)], vip.Priorities);
        Assert.Equal(150, vip.PriorityOf("n1"));
        Assert.Equal(50, vip.PriorityOf("n3"));
        Assert.False(vip.Preempt);
        Assert.Equal(TimeSpan.FromSeconds(30), vip.PreemptDelay);
        Assert.Equal(["n1", "n2"], vip.Nodes);
        Assert.True(vip.Allows("n2"));
        Assert.False(vip.Allows("n3"));
        Assert.Equal(["exec", "http"], vip.Checks);
        Assert.Equal(
            new AnnounceConfig { Count = 7, Interval = TimeSpan.FromMilliseconds(150), SecondBurstAfter = TimeSpan.Zero, Refresh = TimeSpan.FromMinutes(2) },
            vip.Announce);

        Assert.Equal(["exec", "tcp", "http", "https", "link", "flag"], c.Checks.Select(x => x.Name));
        var exec = c.FindCheck("exec")!;
        Assert.Equal(CheckType.Exec, exec.Type);
        Assert.Equal(["/bin/true", "x"], exec.Command);
        Assert.Equal("nobody", exec.User);
        Assert.Equal(TimeSpan.FromSeconds(2), exec.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), exec.Timeout);
        Assert.Equal(3, exec.Rise);
        Assert.Equal(4, exec.Fall);
        Assert.Equal(-20, exec.Weight);
        Assert.Equal(new DnsEndPoint("localhost", 8080), c.FindCheck("tcp")!.Target);
        Assert.Equal(CheckType.Http, c.FindCheck("http")!.Type);
        Assert.Equal(new Uri("http://127.0.0.1:10254/healthz"), c.FindCheck("http")!.Url);
        Assert.Equal(204, c.FindCheck("http")!.ExpectStatus);
        Assert.Equal(CheckType.Https, c.FindCheck("https")!.Type);
        Assert.True(c.FindCheck("https")!.InsecureSkipVerify);
        Assert.Equal(200, c.FindCheck("https")!.ExpectStatus);
        Assert.Equal("bond0", c.FindCheck("link")!.Interface);
        Assert.Equal(CheckType.Interface, c.FindCheck("link")!.Type);
        Assert.Equal("/run/ready", c.FindCheck("flag")!.Path);
        Assert.Equal(CheckType.File, c.FindCheck("flag")!.Type);
    }

    [Fact]
    public void Parse_IPv6Peers_WithAndWithoutPort()
    {
        var c = LoadValid(Minimal
            .Replace("192.0.2.11", "2001:db8::11", StringComparison.Ordinal)
            .Replace("[cluster]", "[cluster]\npeers = [\"[2001:db8::14]:7470\", \"2001:db8::15\"]", StringComparison.Ordinal));

        Assert.Equal([IPEndPoint.Parse("[2001:db8::14]:7470"), IPEndPoint.Parse("[2001:db8::15]:7450")], c.Cluster.Peers);
    }

    [Fact]
    public void Parse_Minimal_DefaultsApplied()
    {
        var c = LoadValid(Minimal);

        Assert.Equal("testhost", c.Node.Name);
        Assert.Equal(ConfigDefaults.Port, c.Node.Port);
        Assert.Empty(c.Cluster.Peers);
        Assert.Equal("/etc/vipd/cluster.key", c.Cluster.KeyFile);
        Assert.Equal(ConfigDefaults.Quorum, c.Cluster.Quorum);
        Assert.Equal(1, c.Cluster.ExpectedNodes);
        Assert.Equal(MembershipProfile.Default, c.Cluster.Profile);
        Assert.Equal(ConfigDefaults.DefaultTimings.ProbeInterval, c.Cluster.ProbeInterval);
        Assert.Equal(ConfigDefaults.DefaultTimings.ProbeTimeout, c.Cluster.ProbeTimeout);
        Assert.Equal(ConfigDefaults.DefaultTimings.SuspicionMin, c.Cluster.SuspicionMin);
        Assert.Equal(ConfigDefaults.DefaultTimings.SuspicionMax, c.Cluster.SuspicionMax);
        Assert.Equal(ConfigDefaults.DefaultTimings.GossipInterval, c.Cluster.GossipInterval);
        Assert.Equal(ConfigDefaults.DefaultTimings.PushPullInterval, c.Cluster.PushPullInterval);
        Assert.Equal(ConfigDefaults.IndirectChecks, c.Cluster.IndirectChecks);
        Assert.Equal(ConfigDefaults.GossipFanout, c.Cluster.GossipFanout);
        Assert.Equal(ConfigDefaults.ApiSocket, c.Api.Socket);
        Assert.Null(c.Api.Tcp);
        Assert.Null(c.Api.Tls);
        Assert.Null(c.Metrics.Address);
        Assert.Equal(LogLevel.Information, c.Logging.Level);
        Assert.Equal(LogFormat.Console, c.Logging.Format);

        var vip = Assert.Single(c.Vips);
        Assert.Equal("eth0", vip.Interface);
        Assert.Equal(ConfigDefaults.Priority, vip.Priority);
        Assert.Empty(vip.Priorities);
        Assert.True(vip.Preempt);
        Assert.Equal(TimeSpan.Zero, vip.PreemptDelay);
        Assert.Empty(vip.Nodes);
        Assert.True(vip.Allows("anyone"));
        Assert.Empty(vip.Checks);
        Assert.Equal(ConfigDefaults.AnnounceCount, vip.Announce.Count);
        Assert.Equal(ConfigDefaults.AnnounceInterval, vip.Announce.Interval);
        Assert.Equal(ConfigDefaults.AnnounceSecondBurstAfter, vip.Announce.SecondBurstAfter);
        Assert.Equal(ConfigDefaults.AnnounceRefresh, vip.Announce.Refresh);
        Assert.Equal(ConfigDefaults.AnnounceRate, vip.Announce.Rate);
        Assert.Equal(ConfigDefaults.AnnounceBurst, vip.Announce.Burst);
        Assert.Equal(AnnounceConfig.Default, c.Announce);
    }

    [Fact]
    public void Parse_GlobalAnnounce_DefaultsEveryVipKeyByKey()
    {
        var c = LoadValid(Minimal + """

            [vip.announce]
            burst = 4

            [[vip]]
            name = "api"
            address = "192.0.2.201/24"

            [[vip]]
            name = "free"
            address = "192.0.2.202/24"

            [vip.announce]
            rate = 0

            [announce]
            rate = 14
            burst = 6
            count = 2
            """);

        Assert.Equal(AnnounceConfig.Default with { Rate = 14, Burst = 6, Count = 2 }, c.Announce);
        Assert.Equal((14, 4, 2), (c.FindVip("web")!.Announce.Rate, c.FindVip("web")!.Announce.Burst, c.FindVip("web")!.Announce.Count));
        Assert.Equal((14, 6), (c.FindVip("api")!.Announce.Rate, c.FindVip("api")!.Announce.Burst));
        Assert.Equal((0, 6), (c.FindVip("free")!.Announce.Rate, c.FindVip("free")!.Announce.Burst));
    }

    [Fact]
    public void ToPolicy_RateAndSecondBurst_Mapped()
    {
        var announce = AnnounceConfig.Default with { Rate = 15, Burst = 4, SecondBurstAfter = TimeSpan.Zero };

        var policy = announce.ToPolicy();

        Assert.Equal(new AnnouncementPacing(15, 4), policy.Pacing);
        Assert.Equal(0, policy.SecondBurstCount);
        Assert.Equal(AnnouncementPacing.Unlimited, (announce with { Rate = 0 }).ToPolicy().Pacing);
        Assert.Equal(AnnouncementPolicy.Default with { Pacing = AnnouncementPacing.Default }, AnnounceConfig.Default.ToPolicy());
        Assert.Empty(policy.Validate());
    }

    [Fact]
    public void Parse_CheckDefaults_TimeoutIsInterval()
    {
        var c = LoadValid(Minimal + """

            [[check]]
            name = "c"
            type = "tcp"
            address = "[::1]:53"
            interval = "3s"
            """);

        var check = Assert.Single(c.Checks);
        Assert.Equal(TimeSpan.FromSeconds(3), check.Timeout);
        Assert.Equal(ConfigDefaults.CheckRise, check.Rise);
        Assert.Equal(ConfigDefaults.CheckFall, check.Fall);
        Assert.Equal(ConfigDefaults.CheckWeight, check.Weight);
        Assert.Equal(IPEndPoint.Parse("[::1]:53"), check.Target);
    }

    [Fact]
    public void Parse_FastProfile_TimingsFromProfileUnlessSet()
    {
        var c = LoadValid(Minimal.Replace("key_file = \"cluster.key\"", "key_file = \"cluster.key\"\nprofile = \"fast\"\nsuspicion_max = \"3s\"", StringComparison.Ordinal));

        Assert.Equal(ConfigDefaults.FastTimings.ProbeInterval, c.Cluster.ProbeInterval);
        Assert.Equal(ConfigDefaults.FastTimings.ProbeTimeout, c.Cluster.ProbeTimeout);
        Assert.Equal(ConfigDefaults.FastTimings.SuspicionMin, c.Cluster.SuspicionMin);
        Assert.Equal(TimeSpan.FromSeconds(3), c.Cluster.SuspicionMax);
        Assert.True(ConfigDefaults.FastTimings.ProbeInterval < ConfigDefaults.DefaultTimings.ProbeInterval);
    }

    [Fact]
    public void Parse_ExpectedNodes_DefaultsToNodeNamesThenPeersPlusOne()
    {
        var withPeers = LoadValid(Minimal.Replace("[cluster]", "[cluster]\npeers = [\"192.0.2.12\", \"192.0.2.13\"]", StringComparison.Ordinal));
        var withNames = LoadValid(Minimal.Replace("[cluster]", "[cluster]\nnode_names = [\"testhost\", \"b\", \"c\", \"d\"]", StringComparison.Ordinal));

        Assert.Equal(3, withPeers.Cluster.ExpectedNodes);
        Assert.Equal(4, withNames.Cluster.ExpectedNodes);
    }

    [Fact]
    public void Parse_NodeNameDefault_UsesShortHostName()
    {
        var result = ConfigLoader.Parse(Minimal, "vipd.toml", NoFiles with { HostName = "web1.example.org" });

        Assert.Equal("web1", result.Config!.Node.Name);
    }

    [Fact]
    public void Parse_InlineAnnounceTable_Accepted()
    {
        var c = LoadValid(Minimal + "\nannounce = { count = 2, refresh = \"0s\" }\n");

        Assert.Equal(2, c.Vips[0].Announce.Count);
        Assert.Equal(TimeSpan.Zero, c.Vips[0].Announce.Refresh);
    }

    [Fact]
    public void Parse_SeveralErrors_AllReportedInFileOrder()
    {
        const string text = """
            [node]
            address = "192.0.2.1111"
            porr = 7450

            [cluster]
            key_file = "/etc/vipd/cluster.key"
            probe_timeout = "2s"

            [[vip]]
            name = "web"
            address = "192.0.2.200"
            interface = "eth0"
            checks = ["nope"]
            """;

        var result = ConfigLoader.Parse(text, "x.toml", NoFiles);

        Assert.False(result.IsValid);
        Assert.Null(result.Config);
        Assert.Equal(
            [
                "x.toml:2:11: invalid address '192.0.2.1111' in [node]; expected an IPv4 or IPv6 address without a prefix",
                "x.toml:3:1: unknown key 'porr' in [node]; did you mean 'port'?",
                "x.toml:7:17: probe_timeout (2s) must be shorter than probe_interval (100ms)",
                "x.toml:11:11: '192.0.2.200' needs a prefix length, such as \"192.0.2.200/24\"",
                "x.toml:13:11: unknown check 'nope'; no [[check]] is defined",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void ConfigError_ToString_IsFileLineColMessage()
    {
        Assert.Equal("/etc/vipd/vipd.toml:3:9: boom", new ConfigError("/etc/vipd/vipd.toml", 3, 9, "boom").ToString());
    }

    [Fact]
    public void Load_MissingKeyFile_ErrorPointsAtKeyFileValue()
    {
        var dir = Directory.CreateTempSubdirectory("vipd-config-test-");
        try
        {
            var path = Path.Combine(dir.FullName, "vipd.toml");
            File.WriteAllText(path, Minimal);

            var result = ConfigLoader.Load(path, new ConfigLoadOptions { HostName = "h" });

            var error = Assert.Single(result.Errors);
            Assert.Equal($"{path}:6:12: key file '{Path.Combine(dir.FullName, "cluster.key")}' does not exist", error.ToString());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_KeyFileRelativeToConfigFolder_Resolved()
    {
        var dir = Directory.CreateTempSubdirectory("vipd-config-test-");
        try
        {
            var path = Path.Combine(dir.FullName, "vipd.toml");
            File.WriteAllText(path, Minimal);
            File.WriteAllText(Path.Combine(dir.FullName, "cluster.key"), "k");

            var result = ConfigLoader.Load(path, new ConfigLoadOptions { HostName = "h" });

            Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
            Assert.Equal(Path.Combine(dir.FullName, "cluster.key"), result.Config.Cluster.KeyFile);
            Assert.Equal(path, result.Config.SourcePath);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_MissingConfigFile_OneError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vipd-missing-{Guid.NewGuid():N}.toml");

        var result = ConfigLoader.Load(path);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith($"{path}:1:1: cannot read the config file:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CheckFilesOn_MissingExecCommandAndTlsFilesReported()
    {
        const string text = """
            [node]
            address = "192.0.2.11"
            interface = "eth0"
            [cluster]
            key_file = "/dev/null"
            [api]
            tcp = "127.0.0.1:7451"
            tls_cert = "/nonexistent/vipd/api.pem"
            tls_key = "/nonexistent/vipd/api.key"
            [[check]]
            name = "c"
            type = "exec"
            command = ["/nonexistent/bin/check"]
            """;

        var result = ConfigLoader.Parse(text, "x.toml", new ConfigLoadOptions { HostName = "h", BaseDirectory = "/" });

        Assert.Equal(
            [
                "x.toml:8:12: TLS certificate '/nonexistent/vipd/api.pem' does not exist",
                "x.toml:9:11: TLS key '/nonexistent/vipd/api.key' does not exist",
                "x.toml:13:11: command '/nonexistent/bin/check' does not exist",
            ],
            result.Errors.Select(e => e.ToString()));
    }
}
