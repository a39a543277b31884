using Vipd.Core.Config;

namespace Vipd.Kubernetes.Config;

/// <summary>A loaded config, or every error found in the file.</summary>
internal sealed record ConfigResult(K8sConfig? Config, IReadOnlyList<ConfigError> Errors)
{
    public bool Ok => Config is not null && Errors.Count == 0;
}
