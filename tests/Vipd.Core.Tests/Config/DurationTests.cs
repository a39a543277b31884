using Vipd.Core.Config;

namespace Vipd.Core.Tests.Config;

public class DurationTests
{
    [Theory]
    [InlineData("150ms", 150)]
    [InlineData("1s", 1000)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("0s", 0)]
    [InlineData("0", 0)]
    [InlineData(" 250ms ", 250)]
    [InlineData("0.25ms", 0.25)]
    public void TryParse_Valid_Parsed(string text, double milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("5", "missing unit in duration '5'; use ms, s, m or h")]
    [InlineData("5sec", "unknown unit 'sec' in duration '5sec'; use ms, s, m or h")]
    [InlineData("5 s", "invalid duration '5 s'; write a number and a unit without spaces, such as \"1s\" (use ms, s, m or h)")]
    [InlineData("-1s", "negative duration '-1s'")]
    [InlineData("", "empty duration; write a number and a unit such as \"1s\" (use ms, s, m or h)")]
    [InlineData("1.2.3s", "invalid number '1.2.3' in duration '1.2.3s'")]
    [InlineData("99999999999h", "duration '99999999999h' is too long")]
    public void TryParse_Invalid_ClearError(string text, string expected)
    {
        Assert.False(Duration.TryParse(text, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(150, "150ms")]
    [InlineData(1000, "1s")]
    [InlineData(1500, "1.5s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h")]
    public void Format_RoundTrips(double milliseconds, string expected)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(expected, Duration.Format(value));
        Assert.True(Duration.TryParse(expected, out var back, out _));
        Assert.Equal(value, back);
    }
}
