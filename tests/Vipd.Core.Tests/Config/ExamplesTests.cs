using System.Net;
using System.Text.RegularExpressions;
using Vipd.Core.Config;

namespace Vipd.Core.Tests.Config;

public class ExamplesTests
{
    private static readonly ConfigLoadOptions Options = new() { CheckFiles = false, HostName = "testhost" };

    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Examples, "*.toml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Load_Example_HasNoErrors(string file)
    {
        var result = ConfigLoader.Load(Path.Combine(RepoPaths.Examples, file), Options);

        Assert.True(result.IsValid, string.Join(Environment.NewLine, result.Errors));
        Assert.NotEmpty(result.Config.Vips);
    }

    [Fact]
    public void Examples_TheDocumentedSet_AllPresent()
    {
        string[] expected = ["fast-failover.toml", "ingress.toml", "ipv6.toml", "three-nodes-spread.toml", "two-nodes.toml"];
        var present = Directory.GetFiles(RepoPaths.Examples, "*.toml").Select(Path.GetFileName).ToHashSet();

        Assert.All(expected, name => Assert.Contains(name, present));
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Load_Example_UsesDocumentationAddressesAndTheStandardKeyFile(string file)
    {
        var config = ConfigLoader.Load(Path.Combine(RepoPaths.Examples, file), Options).Config!;

        Assert.Equal("/etc/vipd/cluster.key", config.Cluster.KeyFile);
        Assert.True(DocumentationRanges.Contains(config.Node.Address), config.Node.Address.ToString());
        Assert.All(config.Cluster.Peers, p => Assert.True(DocumentationRanges.Contains(p.Address), p.ToString()));
        Assert.All(config.Vips, v => Assert.True(DocumentationRanges.Contains(v.Address), v.Cidr));
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Load_ExampleTwice_ConfigsAreEqual(string file)
    {
        var path = Path.Combine(RepoPaths.Examples, file);

        var first = ConfigLoader.Load(path, Options).Config;
        var second = ConfigLoader.Load(path, Options).Config;

        Assert.Equal(first, second);
        Assert.Equal(first!.GetHashCode(), second!.GetHashCode());
        Assert.True(ConfigDiff.Compute(first, second).IsEmpty);
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Example_EveryAddressLiteral_DocumentationRangeOrLoopback(string file)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Examples, file));
        var literals = Regex.Matches(text, @"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}")
            .Select(m => m.Value)
            .Where(v => IPAddress.TryParse(v, out _))
            .ToList();

        Assert.NotEmpty(literals);
        Assert.All(literals, v => Assert.True(DocumentationRanges.Contains(IPAddress.Parse(v)) || IPAddress.IsLoopback(IPAddress.Parse(v)), v));
    }
}
