namespace Vipd.Checks;

/// <summary>The outcome of one run of one probe, before hysteresis.</summary>
internal readonly record struct ProbeResult(bool Passed, string Detail, int? FileValue = null)
{
    public static ProbeResult Pass(string detail, int? fileValue = null) => new(true, detail, fileValue);

    public static ProbeResult Fail(string detail) => new(false, detail);
}
