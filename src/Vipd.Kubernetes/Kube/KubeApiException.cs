using System.Net;

namespace Vipd.Kubernetes.Kube;

/// <summary>The API server answered with an error status (or a watch delivered an ERROR event).</summary>
internal sealed class KubeApiException : Exception
{
    public KubeApiException(HttpStatusCode status, string message)
        : base(message) => Status = status;

    public KubeApiException()
    {
    }

    public KubeApiException(string message)
        : base(message)
    {
    }

    public KubeApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HttpStatusCode Status { get; }

    /// <summary>410: the resourceVersion is too old; list again.</summary>
    public bool IsGone => Status == HttpStatusCode.Gone;

    public bool IsConflict => Status == HttpStatusCode.Conflict;
}
