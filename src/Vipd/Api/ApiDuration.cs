using Google.Protobuf.WellKnownTypes;

namespace Vipd.Api;

/// <summary>A protobuf Duration from a caller, which may be denormalized or beyond <see cref="TimeSpan"/>.</summary>
internal static class ApiDuration
{
    /// <summary>The duration, or false when it is not a valid one (nanos out of range or of another sign, too large).</summary>
    public static bool TryConvert(Duration duration, out TimeSpan value)
    {
        try
        {
            value = duration.ToTimeSpan();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }
}
