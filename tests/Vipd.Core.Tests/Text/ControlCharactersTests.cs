using Vipd.Core.Text;

namespace Vipd.Core.Tests.Text;

public class ControlCharactersTests
{
    [Theory]
    [InlineData("n2\n\u001b[2Jvipd: all VIPs lost", "n2\\n\\x1b[2Jvipd: all VIPs lost")]
    [InlineData("a\rb\tc\u007fd\u0085e\u0000", "a\\rb\\tc\\x7fd\\x85e\\x00")]
    public void Escape_ControlCharacters_WrittenAsEscapes(string text, string expected)
    {
        var escaped = ControlCharacters.Escape(text);

        Assert.Equal(expected, escaped);
        Assert.False(ControlCharacters.Any(escaped));
    }

    [Fact]
    public void Escape_PlainText_SameInstance()
    {
        const string plain = "web-é名";

        Assert.Same(plain, ControlCharacters.Escape(plain));
        Assert.False(ControlCharacters.Any(plain));
    }
}
