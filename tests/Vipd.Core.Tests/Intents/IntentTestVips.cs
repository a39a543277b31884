using Vipd.Core.Intents;

namespace Vipd.Core.Tests.Intents;

/// <summary>Builds valid dynamic VIPs for tests (documentation addresses only).</summary>
internal static class IntentTestVips
{
    public static DynamicVip Vip(string name, string address, uint priority = 0, bool? preempt = null, string[]? allowed = null)
    {
        Assert.True(IntentValidation.TryCreateVip(name, address, null, allowed, preempt, null, priority, null, out var vip, out var errors),
            string.Join("; ", errors));
        return vip!;
    }
}
