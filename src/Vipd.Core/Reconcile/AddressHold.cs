using System.Net;

namespace Vipd.Core.Reconcile;

/// <summary>
/// A withdrawn BGP VIP's traffic still accepted: a <c>local</c> route for the address alone (/32 or /128) in the
/// kernel's table <c>local</c>, marked as vipd's (protocol 0x76), on the interface the address was on. The address
/// itself is gone, so FRR withdraws the route; the hold keeps the node answering what the routers still send it
/// until the withdrawal has reached them (<see cref="Announcer.WithdrawalHold"/>).
/// </summary>
/// <param name="InterfaceIndex">The kernel's interface index.</param>
/// <param name="Address">The VIP's address.</param>
public readonly record struct AddressHold(int InterfaceIndex, IPAddress Address);
