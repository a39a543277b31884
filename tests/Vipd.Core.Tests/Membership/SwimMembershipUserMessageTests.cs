using System.Net;
using Vipd.Core.Tests.Simulation;
using Vipd.Core.Wire;

namespace Vipd.Core.Tests.Membership;

public sealed class SwimMembershipUserMessageTests
{
    [Fact]
    public void SendUserMessage_ToPeer_DeliveredWithSender()
    {
        using var cluster = new MembershipCluster(1).AddNodes(2);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(5)));
        var received = new List<(byte[] Payload, IPEndPoint From)>();
        cluster["n2"].Membership.UserMessageReceived += (payload, from) => received.Add((payload.ToArray(), from));

        var big = Enumerable.Range(0, cluster["n1"].Membership.MaxUserMessageSize).Select(i => (byte)i).ToArray();
        cluster["n1"].Membership.SendUserMessage(new byte[] { 42 }, cluster["n2"].Endpoint);
        cluster["n1"].Membership.SendUserMessage(big, cluster["n2"].Endpoint);
        cluster.RunFor(TimeSpan.FromMilliseconds(10));

        // The network's jitter may reorder the two datagrams.
        Assert.Equal(2, received.Count);
        received.Sort((a, b) => a.Payload.Length.CompareTo(b.Payload.Length));
        Assert.Equal([42], received[0].Payload);
        Assert.Equal(big, received[1].Payload);
        Assert.Equal(cluster["n1"].Endpoint, received[1].From);
        Assert.True(cluster.Network.LargestDatagram <= WireFormat.MaxDatagramSize);
    }

    [Fact]
    public void SendUserMessage_TooLargeOrEmpty_Throws()
    {
        using var cluster = new MembershipCluster(1).AddNodes(1);
        var membership = cluster["n1"].Membership;
        Assert.Throws<ArgumentException>(() => membership.SendUserMessage(new byte[membership.MaxUserMessageSize + 1], cluster["n1"].Endpoint));
        Assert.Throws<ArgumentException>(() => membership.SendUserMessage([], cluster["n1"].Endpoint));
    }

    [Fact]
    public void UserMessageReceived_HandlerThrows_NodeCarriesOn()
    {
        using var cluster = new MembershipCluster(2).AddNodes(2);
        cluster.StartAll();
        Assert.True(cluster.RunUntil(() => cluster.Converged(), TimeSpan.FromSeconds(5)));
        var calls = 0;
        cluster["n2"].Membership.UserMessageReceived += (_, _) =>
        {
            calls++;
            throw new InvalidOperationException("handler bug");
        };

        cluster["n1"].Membership.SendUserMessage(new byte[] { 1 }, cluster["n2"].Endpoint);
        cluster["n1"].Membership.SendUserMessage(new byte[] { 2 }, cluster["n2"].Endpoint);
        cluster.RunFor(TimeSpan.FromSeconds(1));

        Assert.Equal(2, calls);
        Assert.True(cluster.Converged());
    }
}
