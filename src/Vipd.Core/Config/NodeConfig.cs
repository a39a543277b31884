using System.Net;

namespace Vipd.Core.Config;

/// <summary><c>[node]</c>: this node.</summary>
public sealed record NodeConfig
{
    /// <summary>The node's name, unique in the cluster (default: the host name).</summary>
    public required string Name { get; init; }

    /// <summary>Where peers reach this node's gossip.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The UDP gossip port.</summary>
    public required int Port { get; init; }

    /// <summary>The default interface for VIPs that name none; null when every VIP names its own.</summary>
    public string? Interface { get; init; }

    /// <summary>Where vipd keeps state across restarts (the dynamic VIPs and Move preferences), absolute.</summary>
    public string StateDirectory { get; init; } = ConfigDefaults.StateDirectory;

    /// <summary>Address and port together: what this node binds for gossip and tells its peers.</summary>
    public IPEndPoint EndPoint => new(Address, Port);
}
