namespace Vipd.Linux.Netlink;

/// <summary>The answer of <see cref="AddressProtocolProbe"/>.</summary>
internal enum AddressProtocolSupport
{
    /// <summary>The kernel did not say (no strict checking or no extended ACK: older than 4.20): treated as unsupported.</summary>
    Unknown,

    /// <summary>The kernel keeps IFA_PROTO.</summary>
    Supported,

    /// <summary>The kernel drops IFA_PROTO (before 5.18, without a backport).</summary>
    Unsupported,
}
