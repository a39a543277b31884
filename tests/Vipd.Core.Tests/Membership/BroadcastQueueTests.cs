using System.Net;
using Vipd.Core.Membership;
using Vipd.Core.Wire;

namespace Vipd.Core.Tests.Membership;

public sealed class BroadcastQueueTests
{
    private static readonly IPEndPoint Address = new(IPAddress.Parse("192.0.2.10"), 7450);

    [Fact]
    public void Enqueue_SameSubject_ReplacesOlder()
    {
        var queue = new BroadcastQueue();
        queue.Enqueue("n1", new AliveMessage(1, "n1", Address, ReadOnlyMemory<byte>.Empty));
        queue.Enqueue("n1", new DeadMessage(1, "n1", "n2"));
        Assert.Equal(1, queue.Count);
        var buffer = new byte[1000];
        var length = queue.Fill(buffer, transmitLimit: 5);
        Assert.Equal(DropReason.None, MessageCodec.TryDecode(buffer.AsSpan(0, length), out var messages));
        Assert.IsType<DeadMessage>(Assert.Single(messages));
    }

    [Fact]
    public void Fill_TransmitLimitReached_DropsItem()
    {
        var queue = new BroadcastQueue();
        queue.Enqueue("n1", new SuspectMessage(3, "n1", "n2"));
        var buffer = new byte[1000];
        Assert.True(queue.Fill(buffer, transmitLimit: 3) > 0);
        Assert.True(queue.Fill(buffer, transmitLimit: 3) > 0);
        Assert.True(queue.Fill(buffer, transmitLimit: 3) > 0);
        Assert.Equal(0, queue.Count);
        Assert.Equal(0, queue.Fill(buffer, transmitLimit: 3));
    }

    [Fact]
    public void Fill_SmallBuffer_TakesWhatFitsLeastSentFirst()
    {
        var queue = new BroadcastQueue();
        queue.Enqueue("a", new SuspectMessage(1, "a", "x"));
        var buffer = new byte[1000];
        queue.Fill(buffer, transmitLimit: 10);
        queue.Enqueue("b", new SuspectMessage(1, "b", "x"));
        var frame = MessageCodec.GetFrameSize(new SuspectMessage(1, "b", "x"));
        var length = queue.Fill(buffer.AsSpan(0, frame + 2), transmitLimit: 10);
        Assert.Equal(frame, length);
        MessageCodec.TryDecode(buffer.AsSpan(0, length), out var messages);
        Assert.Equal("b", Assert.IsType<SuspectMessage>(Assert.Single(messages)).Name);
    }
}
