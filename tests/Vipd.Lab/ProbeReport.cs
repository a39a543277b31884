namespace Vipd.Lab;

/// <summary>What a <see cref="Prober"/> measured.</summary>
/// <param name="Sent">Probes sent.</param>
/// <param name="Received">Probes answered within the reply timeout (each counted once).</param>
/// <param name="LongestGap">The longest interval between the send times of consecutive answered probes (also from the first probe to the first answer and from the last answer to the last probe); includes scheduling jitter.</param>
/// <param name="Gaps">Every stretch with lost probes, in order.</param>
/// <param name="Duration">From the first probe to the last.</param>
/// <param name="Late">Answers that came after the reply timeout (not counted as received).</param>
/// <param name="Responders">UDP only: answers per responder name (<see cref="UdpEcho"/> appends its host's name).</param>
public sealed record ProbeReport(
    long Sent,
    long Received,
    TimeSpan LongestGap,
    IReadOnlyList<ProbeGap> Gaps,
    TimeSpan Duration,
    long Late,
    IReadOnlyDictionary<string, long> Responders)
{
    /// <summary>Sent − Received.</summary>
    public long Lost => Sent - Received;

    /// <inheritdoc/>
    public override string ToString() =>
        $"sent {Sent}, received {Received}, lost {Lost}, late {Late}, longest gap {LongestGap.TotalMilliseconds:F1} ms, " +
        $"{Gaps.Count} gaps [{string.Join(", ", Gaps.Select(g => $"{g.Start.TotalMilliseconds:F0}+{g.Duration.TotalMilliseconds:F1} ms/{g.Lost}"))}], " +
        $"duration {Duration.TotalMilliseconds:F0} ms, responders [{string.Join(", ", Responders.Select(r => $"{r.Key}={r.Value}"))}]";
}
