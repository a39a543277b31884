using System.Net;

namespace Vipd.Core.Reconcile;

/// <summary>One address to add to, or remove from, an interface.</summary>
public readonly record struct AddressChange(AddressChangeKind Kind, int InterfaceIndex, IPAddress Address, int PrefixLength);

/// <summary>What an <see cref="AddressChange"/> does.</summary>
public enum AddressChangeKind
{
    Add = 1,
    Remove = 2,
}

/// <summary>How one <see cref="AddressChange"/> ended.</summary>
/// <param name="Change">The change.</param>
/// <param name="Outcome">Applied, already so (EEXIST on add, EADDRNOTAVAIL on delete), or failed.</param>
/// <param name="Error">The kernel's error (errno name and extended-ACK text) when it failed.</param>
public readonly record struct AddressChangeResult(AddressChange Change, AddressOutcome Outcome, string? Error);

/// <summary>The outcome of one address change.</summary>
public enum AddressOutcome
{
    Applied = 1,
    AlreadyDone = 2,
    Failed = 3,
}
