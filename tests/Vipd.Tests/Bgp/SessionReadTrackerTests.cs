using Microsoft.Extensions.Time.Testing;
using Vipd.Bgp;

namespace Vipd.Tests.Bgp;

/// <summary>
/// The hysteresis on the session read: an answer or a definite failure is reported at once, transient failures keep
/// the last state until the third in a row or until the last answer is 9 s old.
/// </summary>
public sealed class SessionReadTrackerTests
{
    private static readonly SessionRead Both = SessionRead.Answered((1, 1));
    private static readonly SessionRead Timeout = SessionRead.Transient("bgpd did not answer within 2000 ms");
    private static readonly SessionRead Refused = SessionRead.Definite("Connection refused");

    private readonly FakeTimeProvider _time = new();

    /// <summary>One read every 3 s: the 1 s poll plus a read that times out after 2 s.</summary>
    private SessionReadDecision After3s(SessionReadTracker tracker, SessionRead read)
    {
        _time.Advance(TimeSpan.FromSeconds(3));
        return tracker.Observe(read);
    }

    [Fact]
    public void Observe_Answered_ReportsAsRead()
    {
        var tracker = new SessionReadTracker(_time);
        Assert.Equal(new SessionReadDecision((1, 1), 0, false, 0), tracker.Observe(Both));
        Assert.Equal(new SessionReadDecision((0, 1), 0, false, 0), tracker.Observe(SessionRead.Answered((0, 1))));
        Assert.Equal(new SessionReadDecision((0, 0), 0, false, 0), tracker.Observe(SessionRead.Answered((0, 0))));
    }

    [Fact]
    public void Observe_TransientAfterAnswer_KeepsStateTwice_ThirdReportsNone()
    {
        var tracker = new SessionReadTracker(_time);
        tracker.Observe(Both);

        Assert.Equal(new SessionReadDecision((1, 1), 1, false, 0), After3s(tracker, Timeout));
        Assert.True(tracker.Holding);
        Assert.Equal(new SessionReadDecision((1, 1), 2, false, 0), After3s(tracker, Timeout));
        Assert.Equal(new SessionReadDecision((0, 0), 3, true, 0), After3s(tracker, Timeout));
        Assert.False(tracker.Holding);

        // Given up: none stands, and the give-up is not repeated.
        Assert.Equal(new SessionReadDecision((0, 0), 4, false, 0), After3s(tracker, Timeout));
        Assert.Equal(new SessionReadDecision((1, 1), 0, false, 4), After3s(tracker, Both));
    }

    [Fact]
    public void Observe_AnswerBetweenTransients_StartsTheCountAgain()
    {
        var tracker = new SessionReadTracker(_time);
        tracker.Observe(Both);
        After3s(tracker, Timeout);
        After3s(tracker, Timeout);
        Assert.Equal(new SessionReadDecision((1, 1), 0, false, 2), After3s(tracker, Both));

        Assert.Equal(new SessionReadDecision((1, 1), 1, false, 0), After3s(tracker, Timeout));
        Assert.Equal(new SessionReadDecision((1, 1), 2, false, 0), After3s(tracker, Timeout));
    }

    [Fact]
    public void Observe_Definite_ReportsNoneAtOnce_EvenWhileHolding()
    {
        var tracker = new SessionReadTracker(_time);
        tracker.Observe(Both);
        Assert.Equal(new SessionReadDecision((0, 0), 0, false, 0), tracker.Observe(Refused));

        tracker.Observe(Both);
        After3s(tracker, Timeout);
        Assert.Equal(new SessionReadDecision((0, 0), 0, false, 1), After3s(tracker, Refused));
        Assert.False(tracker.Holding);

        // A transient failure after a definite one keeps its none.
        Assert.Equal(new SessionReadDecision((0, 0), 1, false, 0), After3s(tracker, Timeout));
    }

    [Fact]
    public void Observe_TransientBeforeAnyAnswer_ReportsNothing_ThenNone()
    {
        var tracker = new SessionReadTracker(_time);
        Assert.Equal(new SessionReadDecision(null, 1, false, 0), tracker.Observe(Timeout));
        Assert.Equal(new SessionReadDecision(null, 2, false, 0), tracker.Observe(Timeout));
        Assert.Equal(new SessionReadDecision((0, 0), 3, true, 0), tracker.Observe(Timeout));
    }

    [Fact]
    public void Observe_LastAnswerHoldLimitOld_FirstTransientGivesUp()
    {
        // A read that took long (vtysh's 10 s timeout, a full sync in between): the count is not reached, the time is.
        var tracker = new SessionReadTracker(_time);
        tracker.Observe(Both);
        _time.Advance(SessionReadTracker.HoldLimit - TimeSpan.FromMilliseconds(1));
        Assert.Equal(new SessionReadDecision((1, 1), 1, false, 0), tracker.Observe(Timeout));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(new SessionReadDecision((0, 0), 2, true, 0), tracker.Observe(Timeout));
    }

    [Fact]
    public void Observe_HoldMeasuredFromLastAnswer_NotFromFirstFailure()
    {
        var tracker = new SessionReadTracker(_time);
        tracker.Observe(Both);
        _time.Advance(TimeSpan.FromSeconds(8));
        tracker.Observe(Both);
        _time.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(new SessionReadDecision((1, 1), 1, false, 0), tracker.Observe(Timeout));
    }
}
