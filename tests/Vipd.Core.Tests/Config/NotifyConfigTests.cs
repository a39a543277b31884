using Vipd.Core.Config;

namespace Vipd.Core.Tests.Config;

public sealed class NotifyConfigTests
{
    private static readonly ConfigLoadOptions NoFiles = new() { CheckFiles = false, HostName = "n1" };

    private const string Head = """
        [node]
        name = "n1"
        address = "192.0.2.11"

        [cluster]
        key_file = "/etc/vipd/cluster.key"

        [[vip]]
        name = "web"
        address = "192.0.2.200/24"
        interface = "eth0"

        """;

    [Fact]
    public void Parse_NotifyTable_ArgvsAndTimeout()
    {
        var result = ConfigLoader.Parse(Head + """
            [vip.notify]
            master = ["/usr/local/bin/vip-event", "master"]
            fault = ["/usr/local/bin/vip-event", "fault"]
            timeout = "3s"
            """, "x.toml", NoFiles);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var notify = result.Config.Vips[0].Notify;
        Assert.Equal(["/usr/local/bin/vip-event", "master"], notify.Master);
        Assert.Equal(["/usr/local/bin/vip-event", "fault"], notify.For("FAULT"));
        Assert.True(notify.Backup.IsEmpty);
        Assert.Equal(TimeSpan.FromSeconds(3), notify.Timeout);
    }

    [Fact]
    public void Parse_NoNotify_NoneWithDefaultTimeout()
    {
        var result = ConfigLoader.Parse(Head, "x.toml", NoFiles);
        Assert.True(result.IsValid);
        Assert.Equal(NotifyConfig.None, result.Config.Vips[0].Notify);
        Assert.Equal(ConfigDefaults.NotifyTimeout, result.Config.Vips[0].Notify.Timeout);
    }

    [Fact]
    public void Parse_RelativeProgramAndUnknownKey_ErrorsWithPositions()
    {
        var result = ConfigLoader.Parse(Head + """
            [vip.notify]
            master = ["vip-event"]
            mastr = ["/bin/true"]
            """, "x.toml", NoFiles);

        Assert.Equal(
            [
                "x.toml:13:11: 'vip-event' must be an absolute path (scripts run without a shell or PATH)",
                "x.toml:14:1: unknown key 'mastr' in [vip.notify]; did you mean 'master'?",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Load_MissingScript_Reported()
    {
        var result = ConfigLoader.Parse(Head + """
            [vip.notify]
            stop = ["/nonexistent/vip-event"]
            """, "x.toml", NoFiles with { CheckFiles = true });

        Assert.Contains(result.Errors, e => e.ToString() == "x.toml:13:8: notify script '/nonexistent/vip-event' does not exist");
    }
}
