namespace Vipd.Core.Intents;

/// <summary>Why an intent was refused; the API maps each to its gRPC status code.</summary>
public enum IntentError
{
    /// <summary>A malformed request: a bad name, address, priority, or duplicate names (gRPC <c>INVALID_ARGUMENT</c>).</summary>
    InvalidArgument = 1,

    /// <summary>An unknown source or VIP (gRPC <c>NOT_FOUND</c>).</summary>
    NotFound = 2,

    /// <summary>Valid, but conflicts with the current state, e.g. a name another source owns (gRPC <c>FAILED_PRECONDITION</c>).</summary>
    FailedPrecondition = 3,
}
