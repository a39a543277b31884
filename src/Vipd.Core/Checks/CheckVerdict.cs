namespace Vipd.Core.Checks;

/// <summary>What a VIP's checks say about this node.</summary>
/// <param name="Eligible">False when a bound check is failing with weight 0 or is not known yet.</param>
/// <param name="PriorityShift">Sum of the weights of failing weighted checks and of passing file checks' values;
/// not clamped (the caller clamps the shifted priority to 1–255).</param>
/// <param name="Reason">Why, for logs and the API; "all checks passing" or "no checks" when nothing applies.</param>
public readonly record struct CheckVerdict(bool Eligible, int PriorityShift, string Reason);
