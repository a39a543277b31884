using System.Net;
using Microsoft.Extensions.Time.Testing;
using Vipd.Core.Net;

namespace Vipd.Core.Tests.Simulation;

/// <summary>
/// An in-memory network for deterministic simulations (memberlist's <c>MockNetwork</c> plus loss and virtual time):
/// every datagram is delivered by a timer of the shared <see cref="FakeTimeProvider"/> after <see cref="Latency"/>
/// plus jitter, unless seeded loss, a partition or a detached receiver drops it. Duplication and reordering are
/// seeded too. Not thread-safe: the whole cluster runs on the thread that advances the clock.
/// </summary>
public sealed class SimulatedNetwork : IDisposable
{
    private readonly FakeTimeProvider _time;
    private readonly Random _random;
    private readonly Dictionary<IPEndPoint, Action<byte[], IPEndPoint>> _receivers = [];
    private readonly HashSet<(IPEndPoint, IPEndPoint)> _blocked = [];
    private readonly Dictionary<IPEndPoint, long> _bytesSent = [];
    private readonly PriorityQueue<InFlight, (long Due, long Order)> _inFlight = new();
    private readonly ITimer _timer;
    private long _order;
    private long _armedFor = long.MaxValue;

    public SimulatedNetwork(FakeTimeProvider time, int seed)
    {
        _time = time;
        _random = new Random(seed);
        _timer = time.CreateTimer(static s => ((SimulatedNetwork)s!).DeliverDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Probability that a datagram is lost.</summary>
    public double LossRate { get; set; }

    /// <summary>Probability that a datagram is delivered twice.</summary>
    public double DuplicateRate { get; set; }

    /// <summary>Probability that a datagram is held back by <see cref="ReorderDelay"/>, so later ones overtake it.</summary>
    public double ReorderRate { get; set; }

    /// <summary>Base one-way delay.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(0.5);

    /// <summary>Uniform extra delay in [0, Jitter).</summary>
    public TimeSpan Jitter { get; set; } = TimeSpan.FromMilliseconds(0.2);

    /// <summary>Extra delay of a reordered datagram.</summary>
    public TimeSpan ReorderDelay { get; set; } = TimeSpan.FromMilliseconds(3);

    public long Sent { get; private set; }

    public long Delivered { get; private set; }

    public long Lost { get; private set; }

    public long Blocked { get; private set; }

    public long Duplicated { get; private set; }

    public long Undeliverable { get; private set; }

    /// <summary>The largest datagram any node handed to the network.</summary>
    public int LargestDatagram { get; private set; }

    /// <summary>Connects an endpoint; <paramref name="receive"/> gets (datagram, source).</summary>
    public ITransport Attach(IPEndPoint endpoint, Action<byte[], IPEndPoint> receive)
    {
        _receivers[endpoint] = receive;
        return new Transport(this, endpoint);
    }

    /// <summary>Disconnects an endpoint (a crash): datagrams to it vanish, its own queued ones still fly.</summary>
    public void Detach(IPEndPoint endpoint) => _receivers.Remove(endpoint);

    /// <summary>Blocks both directions between two endpoints.</summary>
    public void Partition(IPEndPoint a, IPEndPoint b)
    {
        _blocked.Add((a, b));
        _blocked.Add((b, a));
    }

    /// <summary>Blocks every pair across two groups.</summary>
    public void Partition(IEnumerable<IPEndPoint> groupA, IEnumerable<IPEndPoint> groupB)
    {
        var b = groupB.ToList();
        foreach (var a in groupA)
        {
            foreach (var other in b)
            {
                Partition(a, other);
            }
        }
    }

    /// <summary>Removes every partition.</summary>
    public void Heal() => _blocked.Clear();

    /// <summary>Blocks one direction only (a one-way loss: a firewall rule, a broken transmit queue).</summary>
    public void BlockOneWay(IPEndPoint from, IPEndPoint to) => _blocked.Add((from, to));

    public long BytesSentBy(IPEndPoint endpoint) => _bytesSent.GetValueOrDefault(endpoint);

    public void Dispose() => _timer.Dispose();

    private void Send(IPEndPoint source, ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        Sent++;
        LargestDatagram = Math.Max(LargestDatagram, datagram.Length);
        _bytesSent[source] = _bytesSent.GetValueOrDefault(source) + datagram.Length;
        if (_blocked.Contains((source, destination)))
        {
            Blocked++;
            return;
        }

        if (_random.NextDouble() < LossRate)
        {
            Lost++;
            return;
        }

        var copies = _random.NextDouble() < DuplicateRate ? 2 : 1;
        Duplicated += copies - 1;
        var bytes = datagram.ToArray();
        for (var i = 0; i < copies; i++)
        {
            var delay = Latency + (Jitter * _random.NextDouble());
            if (_random.NextDouble() < ReorderRate)
            {
                delay += ReorderDelay;
            }

            var due = _time.GetUtcNow().UtcTicks + Math.Max(1, delay.Ticks);
            _inFlight.Enqueue(new InFlight(source, destination, bytes), (due, ++_order));
        }

        Arm();
    }

    private void Arm()
    {
        if (_inFlight.TryPeek(out _, out var next) && next.Due < _armedFor)
        {
            _armedFor = next.Due;
            _timer.Change(TimeSpan.FromTicks(Math.Max(0, next.Due - _time.GetUtcNow().UtcTicks)), Timeout.InfiniteTimeSpan);
        }
    }

    private void DeliverDue()
    {
        _armedFor = long.MaxValue;
        var now = _time.GetUtcNow().UtcTicks;
        while (_inFlight.TryPeek(out var packet, out var key) && key.Due <= now)
        {
            _inFlight.Dequeue();
            if (_blocked.Contains((packet.Source, packet.Destination)))
            {
                Blocked++;
                continue;
            }

            if (!_receivers.TryGetValue(packet.Destination, out var receive))
            {
                Undeliverable++;
                continue;
            }

            Delivered++;
            receive(packet.Bytes, packet.Source);
        }

        Arm();
    }

    private sealed record InFlight(IPEndPoint Source, IPEndPoint Destination, byte[] Bytes);

    private sealed class Transport(SimulatedNetwork network, IPEndPoint source) : ITransport
    {
        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination) => network.Send(source, datagram, destination);
    }
}
