namespace Vipd.Core.Reconcile;

/// <summary>The plan for one desired binding: its status and the link it lives on (null when there is none).</summary>
internal readonly record struct BindingPlan(BindingStatus Status, LinkInfo? Link);
