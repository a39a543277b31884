using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Vipd.Lab;

/// <summary>
/// Sends a probe every <c>period</c> (down to 1 ms) from a host (normally the client) to a target and records which
/// were answered, to measure outages. The socket lives in the host's namespace; a dedicated thread paces the
/// probes on the <see cref="Stopwatch"/> (usleep for most of the wait, spin for the last ~100 µs), so the
/// schedule does not depend on the thread pool. Probing stops by itself after <c>maxDuration</c>.
/// </summary>
public sealed class Prober : IAsyncDisposable
{
    private const int PayloadLength = 16;
    private static readonly TimeSpan DefaultMaxDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultReplyTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Drain = TimeSpan.FromMilliseconds(300);

    private readonly Socket _socket;
    private readonly IPEndPoint _target;
    private readonly ProbeKind _kind;
    private readonly long _periodTicks;
    private readonly long _maxTicks;
    private readonly long _replyTimeoutTicks;
    private readonly uint _token;
    private readonly ushort _icmpId;
    private readonly Thread _thread;
    private readonly List<long> _sent = [];
    private readonly List<long> _answered = [];
    private readonly Dictionary<string, long> _responders = [];
    private readonly TaskCompletionSource<ProbeReport> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LabNetwork? _network;
    private long _start;
    private long _late;
    private volatile bool _stop;

    private Prober(LabHost host, IPAddress target, TimeSpan period, ProbeKind kind, int port, TimeSpan maxDuration, TimeSpan replyTimeout)
    {
        _kind = kind;
        _target = new IPEndPoint(target, kind == ProbeKind.Udp ? port : 0);
        _periodTicks = (long)(period.TotalSeconds * Stopwatch.Frequency);
        _maxTicks = (long)(maxDuration.TotalSeconds * Stopwatch.Frequency);
        _replyTimeoutTicks = (long)(replyTimeout.TotalSeconds * Stopwatch.Frequency);
        _token = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        _icmpId = (ushort)RandomNumberGenerator.GetInt32(1, 0x10000);
        var v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
        _socket = host.Run(() =>
        {
            var family = v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            var s = kind == ProbeKind.Udp
                ? new Socket(family, SocketType.Dgram, ProtocolType.Udp)
                : new Socket(family, SocketType.Raw, v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp);
            if (kind == ProbeKind.Udp)
            {
                s.Bind(new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            }

            s.Blocking = false;
            s.ReceiveBufferSize = 1 << 20;
            return s;
        });
        _network = host.Network;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"prober {host.Name}->{target}", Priority = ThreadPriority.Highest };
    }

    /// <summary>Time since the first probe; use it to place your own actions on the report's time line.</summary>
    public TimeSpan Elapsed => _start == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Volatile.Read(ref _start));

    /// <summary>Probes sent so far.</summary>
    public long SentSoFar
    {
        get
        {
            lock (_sent)
            {
                return _sent.Count;
            }
        }
    }

    /// <summary>Probes answered so far (regardless of the reply timeout).</summary>
    public long ReceivedSoFar
    {
        get
        {
            lock (_sent)
            {
                return _answered.Count(a => a != 0);
            }
        }
    }

    /// <summary>
    /// Starts probing <paramref name="target"/> from <paramref name="host"/> every <paramref name="period"/> (1 ms … 1 s).
    /// UDP probes go to <paramref name="port"/>, where a <see cref="UdpEcho"/> must answer. Probing stops after
    /// <paramref name="maxDuration"/> (default 60 s) at the latest; answers later than <paramref name="replyTimeout"/>
    /// (default 1 s) count as lost.
    /// </summary>
    public static Prober Start(
        LabHost host,
        IPAddress target,
        TimeSpan period,
        ProbeKind kind,
        int port = UdpEcho.DefaultPort,
        TimeSpan? maxDuration = null,
        TimeSpan? replyTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(period, TimeSpan.FromSeconds(1));
        var max = maxDuration ?? DefaultMaxDuration;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, TimeSpan.FromMinutes(10));
        var prober = new Prober(host, target, period, kind, port, max, replyTimeout ?? DefaultReplyTimeout);
        host.Network.Own(prober);
        prober._thread.Start();
        return prober;
    }

    /// <summary>Stops probing, waits up to 300 ms for answers in flight and returns the report.</summary>
    public async Task<ProbeReport> StopAsync()
    {
        _stop = true;
        return await _done.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>Stops probing and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop = true;
        try
        {
            await _done.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The report is not wanted here.
        }

        _socket.Dispose();
        _network?.Disown(this);
    }

    private void Loop()
    {
        try
        {
            // Keep the schedule on a busy 2-core machine: the thread sleeps except for ≤ ~100 µs spins before each probe.
            if (!Posix.RealTimeThisThread())
            {
                Posix.NiceThisThread(-10);
            }
            Run();
            _done.TrySetResult(BuildReport());
        }
        catch (Exception ex)
        {
            _done.TrySetException(ex);
        }
    }

    private void Run()
    {
        var send = new byte[8 + PayloadLength];
        var receive = new byte[2048];
        var start = Stopwatch.GetTimestamp();
        Volatile.Write(ref _start, start);
        var next = start;
        long seq = 0;
        while (!_stop)
        {
            var now = Stopwatch.GetTimestamp();
            if (now - start >= _maxTicks)
            {
                break;
            }

            if (now >= next)
            {
                SendProbe(send, seq++, now);
                next += _periodTicks;
                if (next <= now)
                {
                    next = now + _periodTicks; // fell behind: skip slots rather than burst
                }
            }

            ReceiveAll(receive);
            WaitUntil(next);
        }

        // Answers in flight.
        var drainEnd = Stopwatch.GetTimestamp() + (long)(Drain.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < drainEnd && ReceivedSoFar < SentSoFar)
        {
            ReceiveAll(receive);
            WaitUntil(Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 1000));
        }
    }

    private void WaitUntil(long deadline)
    {
        // Sleep (µs resolution, hrtimer) until ~100 µs before the deadline, then spin: precise without burning a core.
        var remainingUs = (deadline - Stopwatch.GetTimestamp()) * 1_000_000 / Stopwatch.Frequency;
        if (remainingUs > 200)
        {
            Posix.SleepMicroseconds((uint)Math.Min(remainingUs - 100, 100_000));
        }

        var spin = new SpinWait();
        while (Stopwatch.GetTimestamp() < deadline && !_stop)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    private void SendProbe(byte[] buffer, long seq, long now)
    {
        int length;
        if (_kind == ProbeKind.Udp)
        {
            WritePayload(buffer.AsSpan(0, PayloadLength), seq);
            length = PayloadLength;
        }
        else
        {
            var v6 = _target.AddressFamily == AddressFamily.InterNetworkV6;
            buffer[0] = v6 ? (byte)128 : (byte)8;
            buffer[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), 0);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(4), _icmpId);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(6), (ushort)seq);
            WritePayload(buffer.AsSpan(8, PayloadLength), seq);
            length = 8 + PayloadLength;
            if (!v6)
            {
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), Checksum(buffer.AsSpan(0, length)));
            }

            // ICMPv6: the kernel fills in the checksum on raw IPPROTO_ICMPV6 sockets.
        }

        lock (_sent)
        {
            _sent.Add(now);
            _answered.Add(0);
        }

        try
        {
            _socket.SendTo(buffer.AsSpan(0, length), SocketFlags.None, _target);
        }
        catch (SocketException)
        {
            // Unreachable, no route, buffer full: the probe is simply lost.
        }
    }

    private void WritePayload(Span<byte> payload, long seq)
    {
        "VLPR"u8.CopyTo(payload);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], _token);
        BinaryPrimitives.WriteInt64BigEndian(payload[8..], seq);
    }

    private void ReceiveAll(byte[] buffer)
    {
        EndPoint from = new IPEndPoint(_target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (_socket.Available > 0)
        {
            int n;
            try
            {
                n = _socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            var data = buffer.AsSpan(0, n);
            Span<byte> payload;
            string? responder = null;
            if (_kind == ProbeKind.Udp)
            {
                payload = data;
                if (n > PayloadLength)
                {
                    responder = Encoding.UTF8.GetString(data[PayloadLength..]);
                }
            }
            else if (_target.AddressFamily == AddressFamily.InterNetworkV6)
            {
                if (n < 8 + PayloadLength || data[0] != 129 || BinaryPrimitives.ReadUInt16BigEndian(data[4..]) != _icmpId)
                {
                    continue;
                }

                payload = data[8..];
            }
            else
            {
                if (n < 20)
                {
                    continue;
                }

                var ihl = (data[0] & 0x0f) * 4;
                var icmp = data[ihl..];
                if (icmp.Length < 8 + PayloadLength || icmp[0] != 0 || BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]) != _icmpId)
                {
                    continue;
                }

                payload = icmp[8..];
            }

            if (payload.Length < PayloadLength || !payload.StartsWith("VLPR"u8) || BinaryPrimitives.ReadUInt32BigEndian(payload[4..]) != _token)
            {
                continue;
            }

            var seq = BinaryPrimitives.ReadInt64BigEndian(payload[8..]);
            lock (_sent)
            {
                if (seq < 0 || seq >= _answered.Count || _answered[(int)seq] != 0)
                {
                    continue;
                }

                _answered[(int)seq] = now;
                if (responder is not null)
                {
                    _responders[responder] = _responders.GetValueOrDefault(responder) + 1;
                }
            }
        }
    }

    private ProbeReport BuildReport()
    {
        lock (_sent)
        {
            var start = _start;
            TimeSpan At(long ts) => Stopwatch.GetElapsedTime(start, ts);
            var gaps = new List<ProbeGap>();
            long received = 0;
            var longest = TimeSpan.Zero;
            var lastGood = -1;
            long lost = 0;
            for (var i = 0; i < _sent.Count; i++)
            {
                var answered = _answered[i] != 0 && _answered[i] - _sent[i] <= _replyTimeoutTicks;
                if (_answered[i] != 0 && !answered)
                {
                    _late++;
                }

                if (!answered)
                {
                    lost++;
                    continue;
                }

                received++;
                var from = lastGood < 0 ? _sent[0] : _sent[lastGood];
                var gap = At(_sent[i]) - At(from);
                longest = gap > longest ? gap : longest;
                if (lost > 0)
                {
                    gaps.Add(new ProbeGap(At(from), At(_sent[i]), lost));
                }

                lastGood = i;
                lost = 0;
            }

            if (_sent.Count > 0)
            {
                var from = lastGood < 0 ? _sent[0] : _sent[lastGood];
                var tail = At(_sent[^1]) - At(from);
                longest = tail > longest ? tail : longest;
                if (lost > 0)
                {
                    gaps.Add(new ProbeGap(At(from), At(_sent[^1]), lost) { Open = true });
                }
            }

            var duration = _sent.Count > 0 ? At(_sent[^1]) - At(_sent[0]) : TimeSpan.Zero;
            return new ProbeReport(_sent.Count, received, longest, gaps, duration, _late, new Dictionary<string, long>(_responders));
        }
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if ((data.Length & 1) == 1)
        {
            sum += (uint)(data[^1] << 8);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
