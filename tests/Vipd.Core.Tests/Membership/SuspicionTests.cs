using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Membership;

namespace Vipd.Core.Tests.Membership;

public sealed class SuspicionTests
{
    private static readonly TimeSpan Min = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(2);

    // memberlist suspicion_test.go TestSuspicion_remainingSuspicionTime, same rows.
    [Theory]
    [InlineData(0, 3, 0, 2000, 30000, 30000)]
    [InlineData(1, 3, 2000, 2000, 30000, 14000)]
    [InlineData(2, 3, 3000, 2000, 30000, 4810)]
    [InlineData(3, 3, 4000, 2000, 30000, -2000)]
    [InlineData(4, 3, 5000, 2000, 30000, -3000)]
    [InlineData(5, 3, 10000, 2000, 30000, -8000)]
    public void RemainingTime_MemberlistTable_Matches(int n, int k, int elapsedMs, int minMs, int maxMs, int expectedMs)
    {
        var remaining = Suspicion.RemainingTime(n, k, TimeSpan.FromMilliseconds(elapsedMs),
            TimeSpan.FromMilliseconds(minMs), TimeSpan.FromMilliseconds(maxMs));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), remaining);
    }

    [Fact]
    public void Confirm_FromNewPeer_FiresEarlier()
    {
        var time = new FakeTimeProvider();  // Min = 500 ms, Max = 2 s: 1 of k = 3 confirmations -> 1,250 ms
        var fired = false;
        using var suspicion = new Suspicion("n1", k: 3, Min, Max, time, () => fired = true);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(suspicion.Confirm("n2"));
        time.Advance(TimeSpan.FromMilliseconds(1149));
        Assert.False(fired);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(fired);
    }

    [Fact]
    public void Confirm_NoConfirmations_FiresAtMax()
    {
        var time = new FakeTimeProvider();
        var fired = 0;
        using var suspicion = new Suspicion("n1", k: 3, Min, Max, time, () => fired++);
        time.Advance(Max - TimeSpan.FromTicks(1));
        Assert.Equal(0, fired);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, fired);
        time.Advance(Max);
        Assert.Equal(1, fired);
    }

    [Fact]
    public void Confirm_KZero_FlatMinimum()
    {
        var time = new FakeTimeProvider();
        var fired = false;
        using var suspicion = new Suspicion("n1", k: 0, Min, Max, time, () => fired = true);
        Assert.False(suspicion.Confirm("n2"));
        time.Advance(Min - TimeSpan.FromTicks(1));
        Assert.False(fired);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(fired);
    }

    [Fact]
    public void Confirm_SamePeerTwiceOrFirstSuspector_CountsOnce()
    {
        var time = new FakeTimeProvider();
        using var suspicion = new Suspicion("n1", k: 3, Min, Max, time, () => { });
        Assert.False(suspicion.Confirm("n1"));
        Assert.True(suspicion.Confirm("n2"));
        Assert.False(suspicion.Confirm("n2"));
        Assert.Equal(1, suspicion.Confirmations);
    }

    [Fact]
    public void Confirm_AllConfirmationsLate_FiresImmediately()
    {
        var time = new FakeTimeProvider();
        var fired = false;
        using var suspicion = new Suspicion("n1", k: 2, Min, Max, time, () => fired = true);
        time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.True(suspicion.Confirm("n2"));
        Assert.True(suspicion.Confirm("n3"));
        Assert.False(suspicion.Confirm("n4"));
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(fired);
    }
}
