namespace Vipd.Api;

/// <summary>
/// Who may change state through the API. Everyone who can open the socket (mode 0660, owner root, group vipd) or
/// complete the TLS handshake may call the read-only methods. Mutating methods (Drain, Undrain, Move, SetMaintenance,
/// Reload, ApplyVips, RemoveVips) are allowed:
/// <list type="bullet">
/// <item>on the Unix socket: to uid 0, and to a caller whose primary or supplementary group is <c>[api] mutating_group</c>;</item>
/// <item>on TCP: only to a caller that presented a client certificate chaining to <c>[api] tls_client_ca</c>
/// (Kestrel refuses the handshake otherwise); without <c>tls_client_ca</c>, TCP is read-only.</item>
/// </list>
/// </summary>
/// <param name="MutatingGroup">The group name from the config, or null (root only).</param>
/// <param name="MutatingGroupId">Its id, or null when unset or not found on this host.</param>
internal sealed record AccessPolicy(string? MutatingGroup, uint? MutatingGroupId)
{
    /// <summary>Null when <paramref name="caller"/> may call a mutating method; otherwise why not, for PERMISSION_DENIED.</summary>
    public string? DenyMutating(CallerIdentity caller, string method)
    {
        ArgumentNullException.ThrowIfNull(caller);
        switch (caller.Transport)
        {
            case ApiTransport.UnixSocket when caller.Uid == 0:
                return null;
            case ApiTransport.UnixSocket when MutatingGroupId is { } gid && (caller.Gid == gid || caller.Groups.Contains(gid)):
                return null;
            case ApiTransport.UnixSocket:
                var who = caller.Describe();
                return MutatingGroup is null
                    ? $"{method} changes the node: only root may call it ({who} may read only; set [api] mutating_group to allow a group)"
                    : MutatingGroupId is null
                        ? $"{method} changes the node: only root may call it ({who} may read only; [api] mutating_group '{MutatingGroup}' does not exist on this host)"
                        : $"{method} changes the node: only root and members of group '{MutatingGroup}' may call it ({who} may read only)";
            case ApiTransport.Tcp when caller.CertificateSubject is not null:
                return null;
            case ApiTransport.Tcp:
                return $"{method} changes the node: over TCP only clients with a certificate from [api] tls_client_ca may call it";
            default:
                return $"{method} changes the node: the caller could not be identified";
        }
    }

    /// <summary>The id of group <paramref name="name"/> from a group(5) file's text, or null.</summary>
    public static uint? GroupId(string groupFileText, string name)
    {
        ArgumentNullException.ThrowIfNull(groupFileText);
        foreach (var line in groupFileText.Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == name && uint.TryParse(fields[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var gid))
            {
                return gid;
            }
        }

        return null;
    }

    /// <summary>The id of a local group (from /etc/group), or null when it does not exist or the file cannot be read.</summary>
    public static uint? LocalGroupId(string name)
    {
        try
        {
            return GroupId(File.ReadAllText("/etc/group"), name);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
