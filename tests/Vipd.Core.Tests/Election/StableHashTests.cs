using Vipd.Core.Election;

namespace Vipd.Core.Tests.Election;

public class StableHashTests
{
    // Vectors computed independently (Python: FNV-1a 64 over UTF-8, then MurmurHash3 fmix64). A change here moves
    // VIPs between nodes of a mixed-version cluster: never update them casually.
    [Theory]
    [InlineData("", 0xefd01f60ba992926UL)]
    [InlineData("web", 0x8b8f9c357cbd25a9UL)]
    [InlineData("n1", 0xf5c08557ac1e5104UL)]
    public void Hash64_FixedVectors_Match(string text, ulong expected) => Assert.Equal(expected, StableHash.Hash64(text));

    [Theory]
    [InlineData("web", "n1", 0x175f6b619c97e9c8UL)]
    [InlineData("web", "n2", 0xf4b97683fe0f8625UL)]
    [InlineData("db", "n1", 0xca737eb852d6ac78UL)]
    [InlineData("ünï", "nœud", 0x6eb743b8bcaa609bUL)]
    public void Rendezvous_FixedVectors_Match(string vip, string node, ulong expected) =>
        Assert.Equal(expected, StableHash.Rendezvous(vip, node));

    [Fact]
    public void Rendezvous_EqualsHashOfVipNulNode() =>
        Assert.Equal(StableHash.Hash64("web\0n1"), StableHash.Rendezvous("web", "n1"));

    [Fact]
    public void VipId_IsLowHalfOfHash64() => Assert.Equal(0x7cbd25a9u, StableHash.VipId("web"));

    [Fact]
    public void Hash64_LongName_UsesHeapBufferAndStaysStable()
    {
        var name = new string('x', 1000);
        Assert.Equal(StableHash.Hash64(name), StableHash.Hash64(new string('x', 1000)));
        Assert.NotEqual(StableHash.Hash64(name), StableHash.Hash64(name + "y"));
    }
}
