namespace Vipd.Core.Checks;

/// <summary>
/// The state of one check after rise/fall hysteresis.
/// </summary>
/// <param name="Name">The check's name (<c>[[check]] name</c>).</param>
/// <param name="Passing">The state after hysteresis: true once <c>rise</c> consecutive runs passed, false once
/// <c>fall</c> consecutive runs failed (and before <c>rise</c> passes have been seen since start).</param>
/// <param name="Detail">What the latest run saw (exit status and first output line, HTTP status, error), bounded.</param>
/// <param name="FileValue">file checks: the number the file held at the latest passing run; otherwise null.</param>
/// <param name="Duration">How long the last run took.</param>
public sealed record CheckStatus(string Name, bool Passing, string Detail, int? FileValue, TimeSpan Duration = default);
