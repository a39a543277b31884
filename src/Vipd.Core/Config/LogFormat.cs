namespace Vipd.Core.Config;

/// <summary>How log lines are written (<c>[logging] format</c>).</summary>
public enum LogFormat
{
    /// <summary>Human-readable lines (journald adds the time stamps).</summary>
    Console = 0,

    /// <summary>One compact JSON object per line (CLEF), for log shippers.</summary>
    Json = 1,
}
