using Vipd.Core.Config;

namespace Vipd.Core.Tests.Config;

/// <summary>The same config written in the other shapes TOML allows: dotted keys, inline tables, quoted keys.</summary>
public class TomlShapeTests
{
    private static readonly ConfigLoadOptions Options = new() { CheckFiles = false, HostName = "h" };

    private static ConfigResult Parse(string text) => ConfigLoader.Parse(text, "t.toml", Options);

    [Fact]
    public void Parse_DottedKeysAtTopLevel_SameAsTables()
    {
        var dotted = Parse("""
            node.address = "192.0.2.11"
            node.interface = "eth0"
            cluster.key_file = "/k"
            vip = [{ name = "web", address = "192.0.2.200/24", announce.count = 2 }]
            """);
        var tables = Parse("""
            [node]
            address = "192.0.2.11"
            interface = "eth0"
            [cluster]
            key_file = "/k"
            [[vip]]
            name = "web"
            address = "192.0.2.200/24"
            [vip.announce]
            count = 2
            """);

        Assert.True(dotted.IsValid, string.Join(Environment.NewLine, dotted.Errors));
        Assert.True(tables.IsValid, string.Join(Environment.NewLine, tables.Errors));
        Assert.Equal(tables.Config with { SourcePath = "x" }, dotted.Config with { SourcePath = "x" });
        Assert.Equal(2, dotted.Config.Vips[0].Announce.Count);
    }

    [Fact]
    public void Parse_AnnounceHeader_BelongsToTheVipAboveIt()
    {
        var result = Parse("""
            [node]
            address = "192.0.2.11"
            interface = "eth0"
            [cluster]
            key_file = "/k"
            [[vip]]
            name = "a"
            address = "192.0.2.200/24"
            [[vip]]
            name = "b"
            address = "192.0.2.201/24"
            [vip.announce]
            count = 9
            """);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(ConfigDefaults.AnnounceCount, result.Config.FindVip("a")!.Announce.Count);
        Assert.Equal(9, result.Config.FindVip("b")!.Announce.Count);
    }

    [Fact]
    public void Parse_QuotedNodeNamesInPriorities_Accepted()
    {
        var result = Parse("""
            [node]
            name = "n-1"
            address = "192.0.2.11"
            interface = "eth0"
            [cluster]
            key_file = "/k"
            [[vip]]
            name = "web"
            address = "192.0.2.200/24"
            [vip.priorities]
            "n-1" = 200
            n2 = 150
            """);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(200, result.Config.Vips[0].PriorityOf("n-1"));
        Assert.Equal(150, result.Config.Vips[0].PriorityOf("n2"));
    }

    [Fact]
    public void Parse_KeyInWrongSection_SaysWhereItBelongs()
    {
        var result = Parse("""
            [node]
            address = "192.0.2.11"
            interface = "eth0"
            [cluster]
            key_file = "/k"
            preempt = false
            """);

        Assert.Equal(["t.toml:6:1: unknown key 'preempt' in [cluster]; it belongs in [[vip]]"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_HexIntegerAndLiteralStrings_Accepted()
    {
        var result = Parse("""
            [node]
            address = '192.0.2.11'
            port = 0x1d1e
            interface = 'eth0'
            [cluster]
            key_file = '''/k'''
            """);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(0x1d1e, result.Config.Node.Port);
    }
}
