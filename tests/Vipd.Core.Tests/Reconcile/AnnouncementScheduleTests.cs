using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Reconcile;

public class AnnouncementScheduleTests
{
    [Fact]
    public void DelayAfter_DefaultPolicy_BurstsThenRefresh()
    {
        var policy = AnnouncementPolicy.Default;
        var times = new List<double>();
        var at = TimeSpan.Zero;
        var step = 0;
        for (var i = 0; i < 7; i++)
        {
            times.Add(at.TotalMilliseconds);
            at += AnnouncementSchedule.DelayAfter(policy, step)!.Value;
            step = AnnouncementSchedule.Next(policy, step);
        }

        Assert.Equal([0, 50, 100, 2000, 2050, 62050, 122050], times);
    }

    [Theory]
    [InlineData(1, 0, 0, null)]          // one announcement, nothing more
    [InlineData(1, 0, 1000, 1000.0)]     // then refresh only
    [InlineData(2, 0, 0, 50.0)]          // within the first burst
    public void DelayAfter_FirstStep_Table(int burst, int second, int refreshMs, double? expectedMs)
    {
        var policy = new AnnouncementPolicy(burst, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2), second, TimeSpan.FromMilliseconds(refreshMs));

        var delay = AnnouncementSchedule.DelayAfter(policy, 0);

        Assert.Equal(expectedMs, delay?.TotalMilliseconds);
    }

    [Fact]
    public void DelayAfter_SecondBurstDelayShorterThanFirstBurst_KeepsInterval()
    {
        var policy = new AnnouncementPolicy(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), 1, TimeSpan.Zero);

        Assert.Equal(TimeSpan.FromMilliseconds(100), AnnouncementSchedule.DelayAfter(policy, 4));
        Assert.Null(AnnouncementSchedule.DelayAfter(policy, 5));
    }

    [Fact]
    public void Validate_BadPolicy_AllErrors()
    {
        var policy = new AnnouncementPolicy(0, TimeSpan.Zero, TimeSpan.FromSeconds(-1), -1, TimeSpan.FromSeconds(-1));

        Assert.Equal(5, policy.Validate().Count);
        Assert.Empty(AnnouncementPolicy.Default.Validate());
    }
}
