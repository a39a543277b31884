using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Reconcile;

public class PacketBudgetTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Theory]
    // rate, burst, packets already sent at 0 ms, packets asked at the given time -> wait in ms (the window is 1 s + 50 ms)
    [InlineData(10, 10, 0, 0, 2, 0)]
    [InlineData(10, 10, 10, 0, 2, 1050)]
    [InlineData(10, 10, 10, 500, 2, 550)]
    [InlineData(10, 10, 8, 0, 2, 0)]
    [InlineData(10, 10, 10, 1000, 2, 50)]
    [InlineData(10, 10, 10, 1050, 2, 0)]
    [InlineData(15, 4, 4, 0, 2, 133.3334)]
    [InlineData(15, 4, 4, 100, 2, 33.3334)]
    [InlineData(100, 2, 2, 0, 1, 10)]
    public void WaitFor_AfterSends_TokenBucketAndWindow(int rate, int burst, int sentAtZero, double atMs, int packets, double expectedMs)
    {
        var budget = new PacketBudget(new AnnouncementPacing(rate, burst), TimeSpan.Zero);
        for (var i = 0; i < sentAtZero; i++)
        {
            Assert.True(budget.TryTake(TimeSpan.Zero, 1));
        }

        var wait = budget.WaitFor(Ms(atMs), packets);

        Assert.Equal(expectedMs, wait.TotalMilliseconds, 3);
    }

    [Fact]
    public void TryTake_BucketRefilledButWindowFull_Refused()
    {
        // Burst 4 at 15/s: the bucket alone would allow 4 + 15 packets in the first second; the window (1 s + the
        // 50 ms wire jitter guard) allows 15.
        var budget = new PacketBudget(new AnnouncementPacing(15, 4), TimeSpan.Zero);
        var sent = 0;
        for (var ms = 0; ms < 1050; ms++)
        {
            while (budget.TryTake(Ms(ms), 1))
            {
                sent++;
            }
        }

        Assert.Equal(15, sent);
        Assert.False(budget.TryTake(Ms(1049), 1));
        Assert.True(budget.TryTake(Ms(1050), 1));
    }

    [Fact]
    public void TryTake_Unlimited_AlwaysTaken()
    {
        var budget = new PacketBudget(AnnouncementPacing.Unlimited, TimeSpan.Zero);

        Assert.All(Enumerable.Range(0, 10_000), _ => Assert.True(budget.TryTake(TimeSpan.Zero, 2)));
        Assert.Equal(TimeSpan.Zero, budget.WaitFor(TimeSpan.Zero, 2));
    }

    [Fact]
    public void Update_ToStricter_RecentSendsStillCount()
    {
        var budget = new PacketBudget(new AnnouncementPacing(100, 100), TimeSpan.Zero);
        for (var i = 0; i < 8; i++)
        {
            Assert.True(budget.TryTake(TimeSpan.Zero, 1));
        }

        budget.Update(new AnnouncementPacing(10, 10), Ms(100));

        Assert.True(budget.TryTake(Ms(100), 2));
        Assert.False(budget.TryTake(Ms(100), 1));
        Assert.Equal(950, budget.WaitFor(Ms(100), 1).TotalMilliseconds, 3);
    }

    [Fact]
    public void Update_FromUnlimited_FullBurstAvailable()
    {
        var budget = new PacketBudget(AnnouncementPacing.Unlimited, TimeSpan.Zero);

        budget.Update(new AnnouncementPacing(10, 6), Ms(500));

        Assert.True(budget.TryTake(Ms(500), 6));
        Assert.False(budget.TryTake(Ms(500), 1));
    }

    [Theory]
    [InlineData(0, 0, 10, 10, 10, 10)]
    [InlineData(10, 10, 0, 0, 10, 10)]
    [InlineData(10, 20, 15, 4, 10, 4)]
    [InlineData(0, 0, 0, 0, 0, 0)]
    public void Strictest_TwoVipsOnOneInterface_LowestRateAndBurstWin(int rateA, int burstA, int rateB, int burstB, int rate, int burst)
    {
        var strictest = AnnouncementPacing.Strictest(new AnnouncementPacing(rateA, burstA), new AnnouncementPacing(rateB, burstB));

        Assert.Equal(new AnnouncementPacing(rate, burst), strictest);
    }

    [Theory]
    [InlineData(0, 0, true)]
    [InlineData(10, 10, true)]
    [InlineData(2, 2, true)]
    [InlineData(1, 2, false)]
    [InlineData(10, 1, false)]
    [InlineData(10_001, 10, false)]
    public void Validate_RateAndBurst_Checked(int rate, int burst, bool valid)
    {
        Assert.Equal(valid, new AnnouncementPacing(rate, burst).Validate().Count == 0);
    }
}
