using System.Net.Sockets;
using Grpc.Core;

namespace Vipctl.Connection;

/// <summary>
/// Turns a failed call into one line for stderr and an exit code: never a stack trace. Socket errors (the daemon
/// is down, the socket's mode forbids us) are told apart from the daemon's own status codes.
/// </summary>
internal static class Failure
{
    public static (int ExitCode, string Message) Describe(RpcException exception, string socketPath)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (FindUnreachable(exception) is { } unreachable)
        {
            return FromSocket(unreachable.SocketError, socketPath, unreachable.InnerException?.Message ?? unreachable.Message);
        }

        var detail = exception.Status.Detail;
        return exception.StatusCode switch
        {
            StatusCode.PermissionDenied => (ExitCodes.PermissionDenied, $"permission denied: {Or(detail, "vipd refused the call")}"),
            StatusCode.NotFound => (ExitCodes.NotFound, Or(detail, "not found")),
            StatusCode.InvalidArgument => (ExitCodes.Usage, $"invalid argument: {Or(detail, "vipd refused the request")}"),
            StatusCode.FailedPrecondition or StatusCode.AlreadyExists or StatusCode.Aborted or StatusCode.OutOfRange or StatusCode.ResourceExhausted =>
                (ExitCodes.Failure, $"refused: {Or(detail, exception.StatusCode.ToString())}"),
            StatusCode.Unavailable => (ExitCodes.Unreachable, $"vipd at {socketPath} is unavailable: {Or(detail, "no answer")}"),
            StatusCode.DeadlineExceeded => (ExitCodes.Unreachable, $"vipd at {socketPath} did not answer in time"),
            StatusCode.Unimplemented => (ExitCodes.Failure, $"this vipd does not support the call (older than vipctl {VersionInfo.Version}?): {detail}"),
            StatusCode.Cancelled => (ExitCodes.Failure, "cancelled"),
            StatusCode.Unauthenticated => (ExitCodes.PermissionDenied, $"permission denied: {Or(detail, "not authenticated")}"),
            _ => (ExitCodes.Internal, $"vipd failed ({exception.StatusCode}): {Or(detail, "no detail")}"),
        };
    }

    public static (int ExitCode, string Message) FromSocket(SocketError error, string socketPath, string reason) => error switch
    {
        SocketError.AccessDenied => (ExitCodes.PermissionDenied,
            $"permission denied on {socketPath} (run as root or as a member of the socket's group, usually vipd)"),
        SocketError.AddressNotAvailable => (ExitCodes.Unreachable, $"vipd is not running: no socket at {socketPath} (systemctl status vipd)"),
        SocketError.ConnectionRefused => (ExitCodes.Unreachable, $"vipd is not running: nobody listens on {socketPath} (systemctl status vipd)"),
        _ => (ExitCodes.Unreachable, $"cannot reach vipd at {socketPath}: {reason}"),
    };

    private static DaemonUnreachableException? FindUnreachable(RpcException exception)
    {
        for (Exception? e = exception.Status.DebugException ?? exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is DaemonUnreachableException unreachable)
            {
                return unreachable;
            }
        }

        return null;
    }

    private static string Or(string text, string fallback) => string.IsNullOrWhiteSpace(text) ? fallback : text;
}
