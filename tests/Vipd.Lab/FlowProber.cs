using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Vipd.Lab;

/// <summary>
/// Many UDP flows at once from one host to a target's <see cref="UdpEcho"/>: one socket per flow, each bound to its own
/// source port, so a router hashing on L4 (<c>fib_multipath_hash_policy=1</c>) spreads the flows over its ECMP next
/// hops. One thread sends one probe on every flow each period and collects the echoes (which name the host that
/// answered), so the flows see the same schedule and cost one thread, not one each (a <see cref="Prober"/> per flow
/// would be one spinning thread per flow). Probing stops by itself after <c>maxDuration</c>.
/// </summary>
public sealed class FlowProber : IAsyncDisposable
{
    private const int PayloadLength = 16;
    private static readonly TimeSpan Drain = TimeSpan.FromMilliseconds(300);

    private readonly Socket[] _sockets;
    private readonly IPEndPoint _target;
    private readonly long _periodTicks;
    private readonly long _maxTicks;
    private readonly long _replyTimeoutTicks;
    private readonly uint _token;
    private readonly Thread _thread;
    private readonly List<long>[] _sent;
    private readonly List<long>[] _answered;
    private readonly List<string?>[] _responder;
    private readonly TaskCompletionSource<IReadOnlyList<FlowReport>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LabNetwork _network;
    private long _start;
    private volatile bool _stop;

    private FlowProber(LabHost host, IPAddress target, int flows, TimeSpan period, int port, TimeSpan maxDuration, TimeSpan replyTimeout)
    {
        _target = new IPEndPoint(target, port);
        _periodTicks = (long)(period.TotalSeconds * Stopwatch.Frequency);
        _maxTicks = (long)(maxDuration.TotalSeconds * Stopwatch.Frequency);
        _replyTimeoutTicks = (long)(replyTimeout.TotalSeconds * Stopwatch.Frequency);
        _token = (uint)RandomNumberGenerator.GetInt32(int.MaxValue);
        var v6 = target.AddressFamily == AddressFamily.InterNetworkV6;
        _sockets = host.Run(() => Enumerable.Range(0, flows).Select(_ =>
        {
            var s = new Socket(v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            s.Blocking = false;
            s.ReceiveBufferSize = 1 << 18;
            return s;
        }).ToArray());
        _sent = [.. Enumerable.Range(0, flows).Select(_ => new List<long>())];
        _answered = [.. Enumerable.Range(0, flows).Select(_ => new List<long>())];
        _responder = [.. Enumerable.Range(0, flows).Select(_ => new List<string?>())];
        _network = host.Network;
        _thread = new Thread(Loop) { IsBackground = true, Name = $"flow prober {host.Name}->{target}", Priority = ThreadPriority.Highest };
    }

    /// <summary>The wall-clock time of the first probe (local time, as <c>ip -ts monitor</c> prints), to line the flows up with other logs.</summary>
    public DateTime StartedAt { get; private set; }

    /// <summary>The source ports of the flows, in flow order.</summary>
    public IReadOnlyList<int> SourcePorts => [.. _sockets.Select(s => ((IPEndPoint)s.LocalEndPoint!).Port)];

    /// <summary>
    /// Starts <paramref name="flows"/> flows (1 … 256) from <paramref name="host"/> to <paramref name="target"/>:<paramref name="port"/>,
    /// one probe per flow every <paramref name="period"/> (1 ms … 1 s). Stops after <paramref name="maxDuration"/>
    /// (default 60 s) at the latest; answers later than <paramref name="replyTimeout"/> (default 1 s) count as lost.
    /// </summary>
    public static FlowProber Start(LabHost host, IPAddress target, int flows, TimeSpan period, int port = UdpEcho.DefaultPort, TimeSpan? maxDuration = null, TimeSpan? replyTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(flows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(flows, 256);
        ArgumentOutOfRangeException.ThrowIfLessThan(period, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(period, TimeSpan.FromSeconds(1));
        var max = maxDuration ?? TimeSpan.FromSeconds(60);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(max, TimeSpan.FromMinutes(10));
        var prober = new FlowProber(host, target, flows, period, port, max, replyTimeout ?? TimeSpan.FromSeconds(1));
        host.Network.Own(prober);
        prober._thread.Start();
        return prober;
    }

    /// <summary>Stops probing, waits up to 300 ms for answers in flight and returns one report per flow.</summary>
    public async Task<IReadOnlyList<FlowReport>> StopAsync()
    {
        _stop = true;
        return await _done.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }

    /// <summary>Stops probing and closes the sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop = true;
        try
        {
            await _done.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The reports are not wanted here.
        }

        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        _network.Disown(this);
    }

    private void Loop()
    {
        try
        {
            if (!Posix.RealTimeThisThread())
            {
                Posix.NiceThisThread(-10);
            }

            Run();
            _done.TrySetResult(BuildReports());
        }
        catch (Exception ex)
        {
            _done.TrySetException(ex);
        }
    }

    private void Run()
    {
        var send = new byte[PayloadLength];
        var receive = new byte[2048];
        var start = Stopwatch.GetTimestamp();
        StartedAt = DateTime.Now;
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
                for (var flow = 0; flow < _sockets.Length; flow++)
                {
                    Send(send, flow, seq);
                }

                seq++;
                next += _periodTicks;
                if (next <= now)
                {
                    next = now + _periodTicks; // fell behind: skip slots rather than burst
                }
            }

            ReceiveAll(receive);
            WaitUntil(next);
        }

        var drainEnd = Stopwatch.GetTimestamp() + (long)(Drain.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < drainEnd && !AllAnswered())
        {
            ReceiveAll(receive);
            Posix.SleepMicroseconds(1000);
        }
    }

    private bool AllAnswered()
    {
        lock (_sent)
        {
            return _answered.All(a => a.TrueForAll(t => t != 0));
        }
    }

    private void WaitUntil(long deadline)
    {
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

    private void Send(byte[] buffer, int flow, long seq)
    {
        "VF"u8.CopyTo(buffer);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(2), _token);
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(6), (ushort)flow);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(8), seq);
        lock (_sent)
        {
            _sent[flow].Add(Stopwatch.GetTimestamp());
            _answered[flow].Add(0);
            _responder[flow].Add(null);
        }

        try
        {
            _sockets[flow].SendTo(buffer, SocketFlags.None, _target);
        }
        catch (SocketException)
        {
            // Unreachable, no route, buffer full: the probe is simply lost.
        }
    }

    private void ReceiveAll(byte[] buffer)
    {
        foreach (var socket in _sockets)
        {
            while (socket.Available > 0)
            {
                int n;
                try
                {
                    n = socket.Receive(buffer);
                }
                catch (SocketException)
                {
                    break;
                }

                var now = Stopwatch.GetTimestamp();
                var data = buffer.AsSpan(0, n);
                if (n < PayloadLength || !data.StartsWith("VF"u8) || BinaryPrimitives.ReadUInt32BigEndian(data[2..]) != _token)
                {
                    continue;
                }

                var flow = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
                var seq = BinaryPrimitives.ReadInt64BigEndian(data[8..]);
                lock (_sent)
                {
                    if (flow >= _sockets.Length || seq < 0 || seq >= _answered[flow].Count || _answered[flow][(int)seq] != 0)
                    {
                        continue;
                    }

                    _answered[flow][(int)seq] = now;
                    _responder[flow][(int)seq] = n > PayloadLength ? Encoding.UTF8.GetString(data[PayloadLength..]) : string.Empty;
                }
            }
        }
    }

    private List<FlowReport> BuildReports()
    {
        lock (_sent)
        {
            var start = _start;
            var reports = new List<FlowReport>(_sockets.Length);
            for (var flow = 0; flow < _sockets.Length; flow++)
            {
                var sent = _sent[flow];
                var answered = _answered[flow];
                TimeSpan At(int i) => Stopwatch.GetElapsedTime(start, sent[i]);
                var longest = TimeSpan.Zero;
                var longestAt = TimeSpan.Zero;
                var lastGood = -1;
                long lost = 0;
                string? first = null;
                string? last = null;
                for (var i = 0; i < sent.Count; i++)
                {
                    if (answered[i] == 0 || answered[i] - sent[i] > _replyTimeoutTicks)
                    {
                        lost++;
                        continue;
                    }

                    first ??= _responder[flow][i];
                    last = _responder[flow][i];
                    var from = lastGood < 0 ? 0 : lastGood;
                    if (At(i) - At(from) > longest)
                    {
                        longest = At(i) - At(from);
                        longestAt = At(from);
                    }

                    lastGood = i;
                }

                if (sent.Count > 0 && At(sent.Count - 1) - At(Math.Max(lastGood, 0)) > longest)
                {
                    longest = At(sent.Count - 1) - At(Math.Max(lastGood, 0));
                    longestAt = At(Math.Max(lastGood, 0));
                }

                reports.Add(new FlowReport(flow, sent.Count, lost, longest, StartedAt + longestAt, first, last));
            }

            return reports;
        }
    }
}

/// <summary>What one flow of a <see cref="FlowProber"/> saw.</summary>
/// <param name="Flow">The flow's index.</param>
/// <param name="Sent">Probes sent.</param>
/// <param name="Lost">Probes not answered within the reply timeout.</param>
/// <param name="LongestGap">The longest interval between the send times of consecutive answered probes (also from the first probe and to the last).</param>
/// <param name="LongestGapAt">When the longest gap began (local wall clock): the send time of the last answered probe before it.</param>
/// <param name="FirstResponder">The host that answered the flow's first answered probe (null: none answered).</param>
/// <param name="LastResponder">The host that answered its last answered probe.</param>
public sealed record FlowReport(int Flow, long Sent, long Lost, TimeSpan LongestGap, DateTime LongestGapAt, string? FirstResponder, string? LastResponder)
{
    /// <summary>True when the flow ended on another host than it began on (a TCP connection would have broken there).</summary>
    public bool Moved => FirstResponder is not null && LastResponder is not null && FirstResponder != LastResponder;
}
