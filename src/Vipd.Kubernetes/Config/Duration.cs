using System.Globalization;
using System.Text;

namespace Vipd.Kubernetes.Config;

/// <summary>
/// Durations as written in the config: a number and a unit, possibly several (<c>"150ms"</c>, <c>"1s"</c>,
/// <c>"1.5s"</c>, <c>"2m"</c>, <c>"1m30s"</c>, <c>"1h"</c>); <c>"0"</c> alone is zero.
/// </summary>
internal static class Duration
{
    private const string Units = "use ms, s, m or h";

    /// <summary>Parses a duration; on failure <paramref name="error"/> says why, in a config error's words.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = TimeSpan.Zero;
        error = string.Empty;
        var s = text.Trim();
        if (s.Length == 0)
        {
            error = $"empty duration; write a number and a unit such as \"1s\" ({Units})";
            return false;
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Any(char.IsWhiteSpace))
        {
            error = $"invalid duration '{text}'; write a number and a unit without spaces, such as \"1s\" ({Units})";
            return false;
        }

        if (s[0] == '-')
        {
            error = $"negative duration '{text}'";
            return false;
        }

        var ticks = 0m;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i)
            {
                error = $"invalid duration '{text}'; write a number and a unit such as \"1s\" ({Units})";
                return false;
            }

            if (!decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"invalid number '{s[start..i]}' in duration '{text}'";
                return false;
            }

            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            var unit = s[unitStart..i];
            decimal? scale = unit switch
            {
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => null,
            };
            if (unit.Length == 0)
            {
                error = $"missing unit in duration '{text}'; {Units}";
                return false;
            }

            if (scale is null)
            {
                error = $"unknown unit '{unit}' in duration '{text}'; {Units}";
                return false;
            }

            ticks += number * scale.Value;
            if (ticks > TimeSpan.MaxValue.Ticks / 2)
            {
                error = $"duration '{text}' is too long";
                return false;
            }
        }

        value = TimeSpan.FromTicks((long)decimal.Round(ticks));
        return true;
    }

    /// <summary>Writes a duration the way the config reads it: "150ms", "1s", "1.5s", "2m", "1m30s", "0s".</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value.Duration();
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return sb.Append(value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)).Append("ms").ToString();
        }

        if (value.Hours + (value.Days * 24) > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{(int)value.TotalHours}h");
        }

        if (value.Minutes > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{value.Minutes}m");
        }

        var seconds = value.Seconds + (value.Milliseconds / 1000m) + (value.Microseconds / 1_000_000m);
        if (seconds > 0)
        {
            sb.Append(seconds.ToString(CultureInfo.InvariantCulture)).Append('s');
        }

        return sb.ToString();
    }
}
