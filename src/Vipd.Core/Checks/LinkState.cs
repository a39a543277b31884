namespace Vipd.Core.Checks;

/// <summary>What a node knows of the interface a VIP is bound to. Gossiped in node records (format 3): append-only.</summary>
public enum LinkState : byte
{
    /// <summary>No such interface (or not known).</summary>
    Gone = 0,

    /// <summary>The interface exists and is down.</summary>
    Down = 1,

    /// <summary>The interface exists and is up.</summary>
    Up = 2,
}
