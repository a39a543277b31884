using System.Net;

namespace Vipd.Core.Config;

/// <summary>One <c>[[check]]</c>: a health check run on every node; VIPs bind to it by name.</summary>
public sealed record CheckConfig
{
    /// <summary>Unique name, used in <c>[[vip]] checks</c>.</summary>
    public required string Name { get; init; }

    public required CheckType Type { get; init; }

    /// <summary>How often the check runs.</summary>
    public required TimeSpan Interval { get; init; }

    /// <summary>How long one run may take before it counts as failed (at most <see cref="Interval"/>).</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>Consecutive passes that turn a failed check healthy.</summary>
    public required int Rise { get; init; }

    /// <summary>Consecutive failures that turn a healthy check failed.</summary>
    public required int Fall { get; init; }

    /// <summary>
    /// 0: a failed check makes the node ineligible for the VIPs bound to it. Otherwise the check never makes the
    /// node ineligible; while it fails, the weight is added to the node's priority for those VIPs (negative lowers it).
    /// </summary>
    public required int Weight { get; init; }

    /// <summary>exec: the argv to run, no shell (first element an absolute path).</summary>
    public EquatableArray<string> Command { get; init; }

    /// <summary>exec: the user to run the command as; null means vipd's own user.</summary>
    public string? User { get; init; }

    /// <summary>tcp: where to connect (an <see cref="IPEndPoint"/>, or a <see cref="DnsEndPoint"/> for a host name).</summary>
    public EndPoint? Target { get; init; }

    /// <summary>http/https: the URL to GET.</summary>
    public Uri? Url { get; init; }

    /// <summary>http/https: the status code that passes.</summary>
    public int ExpectStatus { get; init; }

    /// <summary>https: skip certificate validation (for self-signed local endpoints).</summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary>interface: the interface that must be up.</summary>
    public string? Interface { get; init; }

    /// <summary>file: the file whose first line is a number (priority shift) or "fault"; missing fails.</summary>
    public string? Path { get; init; }
}
