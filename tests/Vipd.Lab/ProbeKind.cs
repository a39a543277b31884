namespace Vipd.Lab;

/// <summary>What a <see cref="Prober"/> sends.</summary>
public enum ProbeKind
{
    /// <summary>ICMP echo (IPv4) or ICMPv6 echo (IPv6) over a raw socket; answered by the target's kernel.</summary>
    Icmp,

    /// <summary>A UDP datagram to a port where a <see cref="UdpEcho"/> answers.</summary>
    Udp,
}
