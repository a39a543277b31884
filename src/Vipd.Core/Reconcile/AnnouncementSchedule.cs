namespace Vipd.Core.Reconcile;

/// <summary>The pure timing of an <see cref="AnnouncementPolicy"/>: when the announcement after step N leaves.</summary>
internal static class AnnouncementSchedule
{
    /// <summary>
    /// The delay from announcement <paramref name="step"/> (0 = the first of the first burst) to the next one, or
    /// null when nothing more is due. Steps past both bursts are refreshes.
    /// </summary>
    public static TimeSpan? DelayAfter(AnnouncementPolicy policy, int step)
    {
        var lastOfFirst = policy.BurstCount - 1;
        var lastOfSecond = lastOfFirst + policy.SecondBurstCount;
        if (step < lastOfFirst)
        {
            return policy.BurstInterval;
        }

        if (step == lastOfFirst && policy.SecondBurstCount > 0)
        {
            // The second burst starts SecondBurstDelay after the first announcement of the first burst.
            var delay = policy.SecondBurstDelay - (policy.BurstInterval * lastOfFirst);
            return delay > policy.BurstInterval ? delay : policy.BurstInterval;
        }

        if (step < lastOfSecond)
        {
            return policy.BurstInterval;
        }

        return policy.RefreshInterval > TimeSpan.Zero ? policy.RefreshInterval : null;
    }

    /// <summary>The step that follows <paramref name="step"/>; refreshes stay at one step so it never overflows.</summary>
    public static int Next(AnnouncementPolicy policy, int step)
        => Math.Min(step + 1, policy.BurstCount + policy.SecondBurstCount);
}
