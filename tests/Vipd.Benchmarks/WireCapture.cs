using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Vipd.Lab;
using Vipd.Linux.Neighbor;

namespace Vipd.Benchmarks;

/// <summary>
/// Watches one lab host's interface with an AF_PACKET socket (opened inside its namespace) and notes, for every
/// address, when its first gratuitous ARP (sender IP) or Neighbor Advertisement (target) arrived, as a
/// <see cref="Stopwatch"/> timestamp taken by the receiving thread right after the frame was read.
/// </summary>
internal sealed class WireCapture : IDisposable
{
    private const ushort EtherTypeAll = 0x0003;
    private const ushort EtherTypeArp = 0x0806;
    private const ushort EtherTypeIPv6 = 0x86DD;
    private const int SolSocket = 1;
    private const int SoRcvBufForce = 33;

    private readonly Socket _socket;
    private readonly Thread _thread;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, long> _first = [];
    private volatile bool _stop;

    private WireCapture(int interfaceIndex)
    {
        _socket = new Socket(AddressFamily.Packet, SocketType.Raw, ProtocolType.Unspecified);
        try
        {
            // 64 MiB (root only, ignores rmem_max): a burst of 1,000 NAs must not be dropped by the capture itself.
            Span<byte> size = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(size, 64 << 20);
            _socket.SetRawSocketOption(SolSocket, SoRcvBufForce, size);
            _socket.ReceiveTimeout = 100;
            _socket.Bind(new PacketEndPoint(EtherTypeAll, interfaceIndex));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }

        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = "wire capture" };
        _thread.Start();
    }

    /// <summary>Frames received since the last <see cref="Reset"/>.</summary>
    public int Frames { get; private set; }

    public static WireCapture Start(LabHost host) => host.Run(() => new WireCapture(host.InterfaceIndex));

    public void Reset()
    {
        lock (_lock)
        {
            _first.Clear();
            Frames = 0;
        }
    }

    /// <summary>
    /// Waits (bounded) until every address has been announced; returns the earliest and the latest first-announcement
    /// timestamps, or false with how many are still missing.
    /// </summary>
    public bool WaitFor(IReadOnlyCollection<IPAddress> addresses, TimeSpan timeout, out long first, out long last, out int missing)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            lock (_lock)
            {
                first = long.MaxValue;
                last = long.MinValue;
                missing = 0;
                foreach (var address in addresses)
                {
                    if (_first.TryGetValue(address, out var at))
                    {
                        first = Math.Min(first, at);
                        last = Math.Max(last, at);
                    }
                    else
                    {
                        missing++;
                    }
                }
            }

            if (missing == 0)
            {
                return true;
            }

            if (watch.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(1);
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(2));
        _socket.Dispose();
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[2048];
        while (!_stop)
        {
            int length;
            try
            {
                length = _socket.Receive(buffer);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.Interrupted)
            {
                continue;
            }
            catch (Exception) when (_stop)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            if (TryGetAnnounced(buffer.AsSpan(0, length), out var address))
            {
                lock (_lock)
                {
                    Frames++;
                    _first.TryAdd(address, now);
                }
            }
        }
    }

    /// <summary>The address a gratuitous ARP (sender IP = target IP) or a Neighbor Advertisement (target) announces.</summary>
    private static bool TryGetAnnounced(ReadOnlySpan<byte> frame, out IPAddress address)
    {
        address = IPAddress.None;
        if (frame.Length < 14)
        {
            return false;
        }

        var etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        if (etherType == EtherTypeArp && frame.Length >= 42)
        {
            var sender = frame.Slice(28, 4);
            if (!sender.SequenceEqual(frame.Slice(38, 4)))
            {
                return false;
            }

            address = new IPAddress(sender);
            return true;
        }

        // IPv6 header (40 bytes) with next header ICMPv6 (58), then ICMPv6 type 136 (NA); target at ICMPv6 + 8.
        if (etherType == EtherTypeIPv6 && frame.Length >= 14 + 40 + 24 && frame[14 + 6] == 58 && frame[14 + 40] == 136)
        {
            address = new IPAddress(frame.Slice(14 + 40 + 8, 16));
            return true;
        }

        return false;
    }
}
