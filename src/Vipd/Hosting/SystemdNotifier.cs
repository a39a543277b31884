using System.Net.Sockets;
using System.Text;

namespace Vipd.Hosting;

/// <summary>
/// sd_notify(3) without libsystemd: READY=1, STOPPING=1, WATCHDOG=1 and STATUS= as datagrams to
/// <c>NOTIFY_SOCKET</c> (a path, or <c>@name</c> for the abstract namespace). Active whenever the variable is set,
/// so it is testable outside systemd; a no-op otherwise. Microsoft.Extensions.Hosting.Systemd sends READY only when
/// its parent is systemd and has no watchdog (LAB.md), hence this.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;

    public SystemdNotifier(string? notifySocket)
    {
        if (string.IsNullOrEmpty(notifySocket))
        {
            return;
        }

        // An abstract socket is spelt "@name"; the endpoint wants a leading NUL.
        var path = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
        _endpoint = new UnixDomainSocketEndPoint(path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>True when NOTIFY_SOCKET was set.</summary>
    public bool IsActive => _socket is not null;

    /// <summary>
    /// The watchdog period systemd asked for (<c>WATCHDOG_USEC</c>, for this PID), or null. Ping at half of it.
    /// </summary>
    public static TimeSpan? WatchdogInterval(string? usec, string? pid, int ownPid)
    {
        if (!long.TryParse(usec, out var microseconds) || microseconds <= 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(pid) && pid != ownPid.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return null;
        }

        return TimeSpan.FromTicks(microseconds * 10);
    }

    public void Ready(string status) => Send($"READY=1\nSTATUS={status}");

    public void Stopping(string status) => Send($"STOPPING=1\nSTATUS={status}");

    public void Reloading(string status) => Send($"RELOADING=1\nSTATUS={status}");

    public void Watchdog() => Send("WATCHDOG=1");

    public void Status(string status) => Send($"STATUS={status}");

    public void Dispose() => _socket?.Dispose();

    private void Send(string message)
    {
        if (_socket is null || _endpoint is null)
        {
            return;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), SocketFlags.None, _endpoint);
        }
        catch (SocketException)
        {
            // systemd gone or socket not ours: notifications are best effort by definition (sd_notify ignores errors too).
        }
    }
}
