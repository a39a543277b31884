namespace Vipd.Hosting;

/// <summary>vipd's exit codes (documented in vipd(8)): scripts and systemd units rely on them. Append only.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The config is invalid (<c>FILE:LINE:COL: message</c> lines on stderr).</summary>
    public const int ConfigInvalid = 1;

    /// <summary>Bad command-line usage.</summary>
    public const int Usage = 2;

    /// <summary>Missing privilege: CAP_NET_ADMIN and CAP_NET_RAW are needed.</summary>
    public const int NoPermission = 3;

    /// <summary>An interface named in the config does not exist.</summary>
    public const int UnknownInterface = 4;

    /// <summary>The cluster key file is missing, unreadable or holds no valid key.</summary>
    public const int KeyFile = 5;

    /// <summary>The gossip port (or the API socket) is in use or cannot be bound.</summary>
    public const int AddressInUse = 6;

    /// <summary>
    /// The kernel drops IFA_PROTO (Linux before 5.18 without a backport): vipd could not tell its addresses from the
    /// operator's (<see cref="Preflight.KernelProblem"/>).
    /// </summary>
    public const int UnsupportedKernel = 7;

    /// <summary>
    /// An unexpected failure; the log says what. Also a loop that died or stayed silent 10 s (gossip receive, reconcile,
    /// membership timers: <see cref="LivenessMonitor"/>), so a deaf node exits and systemd restarts it.
    /// </summary>
    public const int Internal = 70;
}
