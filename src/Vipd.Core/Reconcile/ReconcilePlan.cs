namespace Vipd.Core.Reconcile;

/// <summary>What to change so that the kernel's addresses match the desired VIPs.</summary>
/// <param name="Changes">Removals first, then additions, in one list for one batched <see cref="IAddressManager.Apply"/>.</param>
/// <param name="Bindings">The plan for every distinct desired binding.</param>
internal sealed record ReconcilePlan(
    IReadOnlyList<AddressChange> Changes,
    IReadOnlyDictionary<VipBinding, BindingPlan> Bindings);
