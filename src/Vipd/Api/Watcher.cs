using System.Threading.Channels;
using Vipd.Api.V1;

namespace Vipd.Api;

/// <summary>One Watch stream's queue of events (bounded; see <see cref="EventHub"/>).</summary>
internal sealed class Watcher
{
    private readonly Channel<WatchEvent> _queue;

    public Watcher(int capacity)
    {
        // One extra slot for the snapshot, so a full queue means `capacity` events behind.
        _queue = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(capacity + 1)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the hub then cuts the watcher off
        });
    }

    /// <summary>The events, in order; ends with <see cref="WatcherOverflowException"/> when the client fell too far behind.</summary>
    public ChannelReader<WatchEvent> Reader => _queue.Reader;

    /// <summary>True once cut off for being too slow.</summary>
    public bool Overflowed { get; private set; }

    internal bool TryQueue(WatchEvent change) => _queue.Writer.TryWrite(change);

    internal void Overflow()
    {
        Overflowed = true;
        _queue.Writer.TryComplete(new WatcherOverflowException());
    }

    internal void Close() => _queue.Writer.TryComplete();
}
