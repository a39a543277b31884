using Vipd.Core.Config;

namespace Vipd.Core.Tests.Config;

public class KeySuggesterTests
{
    [Theory]
    [InlineData("premept", "preempt")]
    [InlineData("adress", "address")]
    [InlineData("intreface", "interface")]
    [InlineData("PRIORITY", "priority")]
    [InlineData("check", "checks")]
    public void Suggest_CloseMisspelling_FindsKey(string word, string expected)
    {
        string[] keys = ["name", "address", "interface", "priority", "priorities", "preempt", "preempt_delay", "nodes", "checks"];

        Assert.Equal(expected, KeySuggester.Suggest(word, keys));
    }

    [Fact]
    public void Suggest_NothingClose_Null()
    {
        Assert.Null(KeySuggester.Suggest("bandwidth", ["name", "address"]));
    }
}
