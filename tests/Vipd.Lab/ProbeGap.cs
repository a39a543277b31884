namespace Vipd.Lab;

/// <summary>
/// A stretch with lost probes: <paramref name="Start"/> is when the last answered probe before it was sent (or the
/// first probe), <paramref name="End"/> when the first answered probe after it was sent (or the last probe, when
/// probing stopped inside the gap); both measured from the start of probing. <paramref name="Lost"/> probes in
/// between went unanswered.
/// </summary>
public sealed record ProbeGap(TimeSpan Start, TimeSpan End, long Lost)
{
    /// <summary>End − Start.</summary>
    public TimeSpan Duration => End - Start;

    /// <summary>True when probing stopped before an answer came back.</summary>
    public bool Open { get; init; }
}
