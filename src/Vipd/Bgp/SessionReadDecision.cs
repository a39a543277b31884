namespace Vipd.Bgp;

/// <summary>
/// What <see cref="SessionReadTracker.Observe"/> decided for one read.
/// </summary>
/// <param name="Report">The sessions to report (Established per family); null while nothing is known yet (the first
/// reads failed transiently), when nothing is reported.</param>
/// <param name="Transients">Consecutive transient failures up to and including this read (0 after an authoritative one).</param>
/// <param name="GaveUp">This read ended the hold: the transient failures went on too long, no session is reported.</param>
/// <param name="Recovered">On an authoritative read, how many transient failures came just before it (0: none).</param>
internal readonly record struct SessionReadDecision((int IPv4, int IPv6)? Report, int Transients, bool GaveUp, int Recovered);
