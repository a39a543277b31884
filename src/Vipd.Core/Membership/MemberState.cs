namespace Vipd.Core.Membership;

/// <summary>What this node believes about a member. Wire value: append-only, never renumber.</summary>
public enum MemberState
{
    /// <summary>Answers probes (or refuted the last suspicion).</summary>
    Alive = 1,

    /// <summary>Missed a probe; declared dead unless it refutes or answers before the suspicion timeout.</summary>
    Suspect = 2,

    /// <summary>Failed: its suspicion timed out.</summary>
    Dead = 3,

    /// <summary>Left on purpose (explicit leave, such as a clean shutdown).</summary>
    Left = 4,
}
