namespace Vipd.Core.Config;

/// <summary>One entry of a VIP's <c>priorities</c> table: a node and its priority for that VIP.</summary>
public readonly record struct NodePriority(string Node, int Priority);
