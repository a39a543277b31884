namespace Vipd.Linux.Tests.Native;

/// <summary>A fact that needs gcc and the Linux UAPI headers; skipped, saying so, only when gcc is absent (CI installs it).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GccFactAttribute : FactAttribute
{
    public GccFactAttribute()
    {
        if (CHeaderProbe.FindGcc() is null)
        {
            Skip = "gcc not found on PATH: cannot check native layouts against the kernel headers (apt-get install gcc)";
        }
    }
}
