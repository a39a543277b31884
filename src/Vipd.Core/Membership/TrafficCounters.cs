namespace Vipd.Core.Membership;

/// <summary>Gossip datagrams and bytes (UDP payload, sealed) sent and received. Thread-safe; counts only grow.</summary>
public sealed class TrafficCounters
{
    private long _datagramsSent;
    private long _bytesSent;
    private long _datagramsReceived;
    private long _bytesReceived;

    public long DatagramsSent => Interlocked.Read(ref _datagramsSent);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long DatagramsReceived => Interlocked.Read(ref _datagramsReceived);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    internal void RecordSent(int bytes)
    {
        Interlocked.Increment(ref _datagramsSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void RecordReceived(int bytes)
    {
        Interlocked.Increment(ref _datagramsReceived);
        Interlocked.Add(ref _bytesReceived, bytes);
    }
}
