namespace Vipctl;

/// <summary>vipctl's exit codes (documented in vipctl(8) and <c>--help</c>): scripts rely on them. Append only.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The daemon refused or the operation failed (FAILED_PRECONDITION, a bad config, a drain not complete in time).</summary>
    public const int Failure = 1;

    /// <summary>Bad command-line usage, or a request the daemon found malformed (INVALID_ARGUMENT).</summary>
    public const int Usage = 2;

    /// <summary>The daemon is not reachable: no socket, nobody listening, or shutting down (UNAVAILABLE).</summary>
    public const int Unreachable = 3;

    /// <summary>Permission denied: the socket's file mode (EACCES) or the daemon refused a mutating call (PERMISSION_DENIED).</summary>
    public const int PermissionDenied = 4;

    /// <summary>An unknown VIP, node or source (NOT_FOUND).</summary>
    public const int NotFound = 5;

    /// <summary>An unexpected failure (a bug in vipctl or vipd); the message says what.</summary>
    public const int Internal = 70;

    /// <summary>The table <c>--help</c> and the man page print.</summary>
    public const string HelpText =
        "Exit codes: 0 ok, 1 failed or refused, 2 usage or invalid argument, 3 daemon unreachable, 4 permission denied, 5 not found, 70 internal error";
}
