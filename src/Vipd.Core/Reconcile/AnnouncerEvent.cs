namespace Vipd.Core.Reconcile;

/// <summary>Something the announcer did or met, for logs, metrics, notify scripts and the gRPC Watch stream.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Name">The VIP's name; null for errors that concern no single VIP.</param>
/// <param name="Binding">The VIP's binding; null for errors that concern no single VIP.</param>
/// <param name="Message">Detail: the error text, the foreign MAC of a conflict, what was repaired.</param>
public sealed record AnnouncerEvent(AnnouncerEventKind Kind, string? Name, VipBinding? Binding, string? Message);
