using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Vipd.Lab;

/// <summary>
/// A UDP echo responder inside a host's namespace: every datagram on <c>[::]:port</c> (IPv4 and IPv6) is sent back
/// with the host's name appended, so a <see cref="Prober"/> can tell who answered. The reply's source address is
/// the kernel's choice (for a VIP it may be the host's own address); the prober matches answers by content.
/// </summary>
public sealed class UdpEcho : IAsyncDisposable
{
    /// <summary>The port probes go to by default.</summary>
    public const int DefaultPort = 7007;

    private readonly Socket _socket;
    private readonly Thread _thread;
    private readonly byte[] _name;
    private readonly LabNetwork _network;
    private volatile bool _stop;
    private long _echoed;

    private UdpEcho(LabHost host, int port)
    {
        _name = Encoding.UTF8.GetBytes(host.Name);
        _network = host.Network;
        Host = host;
        Port = port;
        _socket = host.Run(() =>
        {
            var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true };
            s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            s.Bind(new IPEndPoint(IPAddress.IPv6Any, port));
            return s;
        });
        _thread = new Thread(Loop) { IsBackground = true, Name = $"udp echo {host.Name}:{port}" };
    }

    /// <summary>The host it answers in.</summary>
    public LabHost Host { get; }

    /// <summary>The UDP port.</summary>
    public int Port { get; }

    /// <summary>Datagrams answered so far.</summary>
    public long Echoed => Interlocked.Read(ref _echoed);

    /// <summary>Starts answering on <paramref name="port"/> in <paramref name="host"/>'s namespace until disposed (or the lab is).</summary>
    public static UdpEcho Start(LabHost host, int port = DefaultPort)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var echo = new UdpEcho(host, port);
        host.Network.Own(echo);
        echo._thread.Start();
        return echo;
    }

    /// <summary>Stops answering and closes the socket.</summary>
    public ValueTask DisposeAsync()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(2));
        _socket.Dispose();
        _network.Disown(this);
        return ValueTask.CompletedTask;
    }

    private void Loop()
    {
        if (!Posix.RealTimeThisThread())
        {
            Posix.NiceThisThread(-10); // answer promptly on a busy machine; the thread blocks in poll otherwise
        }

        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!_stop)
        {
            try
            {
                if (!_socket.Poll(50_000, SelectMode.SelectRead))
                {
                    continue;
                }

                var n = _socket.ReceiveFrom(buffer, ref from);
                if (n + _name.Length > buffer.Length)
                {
                    continue;
                }

                _name.CopyTo(buffer, n);
                _socket.SendTo(buffer.AsSpan(0, n + _name.Length), SocketFlags.None, from);
                Interlocked.Increment(ref _echoed);
            }
            catch (SocketException)
            {
                // Link down or unreachable: keep answering what comes.
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }
}
