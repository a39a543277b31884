using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Vipd.Api.V1;
using Vipd.Core.Text;

namespace Vipctl.Output;

/// <summary>How tables spell the API's enums, times and durations (JSON keeps the proto's own names).</summary>
internal static class Words
{
    public static Cell State(VipState state) => state switch
    {
        VipState.Holding => new("holding", Color.Green),
        VipState.Standby => new("standby", Color.None),
        VipState.Ineligible => new("ineligible", Color.Yellow),
        VipState.Unowned => new("unowned", Color.Red),
        _ => new("unknown", Color.Dim),
    };

    public static Cell Mode(NodeMode mode) => mode switch
    {
        NodeMode.Active => new("active", Color.Green),
        NodeMode.Maintenance => new("maintenance", Color.Yellow),
        NodeMode.Draining => new("draining", Color.Yellow),
        NodeMode.Drained => new("drained", Color.Yellow),
        _ => new("unknown", Color.Dim),
    };

    public static Cell Member(MemberState state) => state switch
    {
        MemberState.Alive => new("alive", Color.Green),
        MemberState.Suspect => new("suspect", Color.Yellow),
        MemberState.Dead => new("dead", Color.Red),
        MemberState.Left => new("left", Color.Dim),
        _ => new("unknown", Color.Dim),
    };

    /// <summary>A UTC time to the second, ISO 8601: <c>2026-11-25T23:50:01Z</c>; empty when absent.</summary>
    public static string Time(Timestamp? time) =>
        time is null ? string.Empty : time.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>How long ago, e.g. <c>1.2s ago</c>; empty when absent.</summary>
    public static string Ago(Timestamp? time, TimeProvider now)
    {
        if (time is null)
        {
            return string.Empty;
        }

        var elapsed = now.GetUtcNow() - time.ToDateTimeOffset();
        return elapsed < TimeSpan.Zero ? "just now" : Span(elapsed) + " ago";
    }

    /// <summary>A human duration: <c>250ms</c>, <c>1.5s</c>, <c>4m3s</c>, <c>2h5m</c>, <c>3d4h</c>.</summary>
    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.FromSeconds(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalMilliseconds}ms");
        }

        if (span < TimeSpan.FromMinutes(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(span.TotalSeconds * 10) / 10:0.#}s");
        }

        if (span < TimeSpan.FromHours(1))
        {
            return string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m{span.Seconds}s");
        }

        return span < TimeSpan.FromDays(1)
            ? string.Create(CultureInfo.InvariantCulture, $"{span.Hours}h{span.Minutes}m")
            : string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d{span.Hours}h");
    }

    public static string Span(Google.Protobuf.WellKnownTypes.Duration? duration) =>
        duration is null ? string.Empty : Span(duration.ToTimeSpan());

    public static string List(IEnumerable<string> items) => string.Join(",", items.Select(ControlCharacters.Escape));

    public static string OrNone(string text) => text.Length == 0 ? "none" : ControlCharacters.Escape(text);
}
