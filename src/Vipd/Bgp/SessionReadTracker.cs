using Vipd.Core.Config;

namespace Vipd.Bgp;

/// <summary>
/// Hysteresis on the session read (<see cref="FrrSync"/>): which state to report after each read. An answer from bgpd
/// is reported as read and a definite failure (FRR not running) reports no session at once, but a transient failure
/// (bgpd slower than the vty timeout, a garbled answer) keeps the last known state, until
/// <see cref="TransientLimit"/> of them in a row or until the last authoritative read is <see cref="HoldLimit"/> old,
/// whichever comes first: then no session is reported until bgpd answers again. Pure apart from its clock; one
/// caller (the sync task).
/// </summary>
internal sealed class SessionReadTracker
{
    /// <summary>
    /// The transient failure in a row that gives up (the first two keep the state). With the 1 s poll and the 2 s vty
    /// timeout, three reads span about 9 s from the last answer: the default BGP hold time, after which the peers of a
    /// bgpd that is really stuck have dropped its sessions anyway, while a bgpd that is only slow on its vty keeps
    /// sending keepalives (from their own thread) and its routes stand.
    /// </summary>
    public const int TransientLimit = 3;

    /// <summary>
    /// The oldest the last authoritative read may be for a transient failure still to keep its state (the default BGP
    /// hold time, as above): bounds the hold when a read takes longer than the vty timeout (vtysh, 10 s) or a full
    /// sync ran in between.
    /// </summary>
    public static readonly TimeSpan HoldLimit = ConfigDefaults.BgpHold;

    private readonly TimeProvider _time;
    private (int IPv4, int IPv6)? _known;
    private long _lastAuthoritative;
    private int _transients;
    private bool _gaveUp;

    public SessionReadTracker(TimeProvider time)
    {
        _time = time;
        _lastAuthoritative = time.GetTimestamp();
    }

    /// <summary>True while transient failures keep an earlier state (a full sync then waits: bgpd would not answer it either).</summary>
    public bool Holding => _transients > 0 && !_gaveUp;

    /// <summary>Takes one read's outcome and says what to report.</summary>
    public SessionReadDecision Observe(SessionRead read)
    {
        if (read.Kind != SessionReadKind.Transient)
        {
            var recovered = _transients;
            _transients = 0;
            _gaveUp = false;
            _known = read.Established;
            _lastAuthoritative = _time.GetTimestamp();
            return new(_known, 0, GaveUp: false, recovered);
        }

        _transients++;
        if (_gaveUp)
        {
            return new(_known, _transients, GaveUp: false, 0);
        }

        if (_transients >= TransientLimit || _time.GetElapsedTime(_lastAuthoritative) >= HoldLimit)
        {
            _gaveUp = true;
            _known = (0, 0);
            return new(_known, _transients, GaveUp: true, 0);
        }

        return new(_known, _transients, GaveUp: false, 0);
    }
}
