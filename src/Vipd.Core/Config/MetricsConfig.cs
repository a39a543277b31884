using System.Net;

namespace Vipd.Core.Config;

/// <summary><c>[metrics]</c>: the Prometheus endpoint.</summary>
public sealed record MetricsConfig
{
    /// <summary>Where <c>/metrics</c> is served over HTTP; null means off.</summary>
    public IPEndPoint? Address { get; init; }
}
