namespace Vipd.Tests.Systemd;

/// <summary>A fact that needs <c>systemd-analyze</c> (Debian package <c>systemd</c>); skipped, saying so, without it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SystemdAnalyzeFactAttribute : FactAttribute
{
    public SystemdAnalyzeFactAttribute()
    {
        if (SystemdFiles.SystemdAnalyze is null)
        {
            Skip = "systemd-analyze is not installed (apt-get install systemd)";
        }
    }
}
