using System.Net;
using Vipd.Bgp;
using Vipd.Core.Config;

namespace Vipd.Tests.Bgp;

/// <summary>Reading FRR's <c>show bgp neighbors json</c>: which configured peers' sessions are Established.</summary>
public sealed class FrrSessionTests
{
    private static readonly BgpPeerConfig[] Peers =
    [
        new() { Address = IPAddress.Parse("192.0.2.1"), Asn = 64512 },
        new() { Address = IPAddress.Parse("2001:db8::1"), Asn = 64512 },
        new() { Address = IPAddress.Parse("192.0.2.2"), Asn = 64512 },
    ];

    // Shaped as FRR 8.4 prints it (keys are neighbour addresses; most fields left out).
    private const string Neighbours = """
        {
          "192.0.2.1":{"remoteAs":64512,"localAs":64513,"bgpState":"Established","bgpTimerUpMsec":1082000},
          "2001:db8:0:0::1":{"remoteAs":64512,"localAs":64513,"bgpState":"Established"},
          "192.0.2.2":{"remoteAs":64512,"localAs":64513,"bgpState":"Idle (Admin)"},
          "192.0.2.9":{"remoteAs":64999,"localAs":64513,"bgpState":"Established"},
          "swp51":{"bgpNeighborAddr":"fe80::1","bgpState":"Established"}
        }
        """;

    [Fact]
    public void CountEstablished_OnlyConfiguredPeersInStateEstablished_PerFamily_AddressesCompared()
    {
        // 192.0.2.9 is not a [[bgp.peer]] (an operator's own neighbour), swp51 is unnumbered: neither counts.
        Assert.Equal((1, 1), FrrSync.CountEstablished(Neighbours, Peers));
        Assert.Equal((1, 0), FrrSync.CountEstablished(Neighbours, [Peers[0], Peers[2]]));
        Assert.Equal((0, 1), FrrSync.CountEstablished(Neighbours, [Peers[1], Peers[2]]));
        Assert.Equal((0, 0), FrrSync.CountEstablished(Neighbours, [Peers[2]]));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"192.0.2.1":"Established"}""")]
    [InlineData("""{"192.0.2.1":{"bgpState":2}}""")]
    public void CountEstablished_FrrJsonWithoutSession_None(string output) =>
        Assert.Equal((0, 0), FrrSync.CountEstablished(output, Peers));

    [Theory]
    [InlineData("% BGP instance not found")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("""{"192.0.2.1":{"bgpState":"Established""")]
    public void CountEstablished_NotAJsonObject_Null(string output) =>
        Assert.Null(FrrSync.CountEstablished(output, Peers));

    [Fact]
    public void VtyAnswer_CompleteOnlyWithTerminatorAndStatus()
    {
        Assert.Null(FrrSync.VtyAnswer("{\"192.0.2.1\":{}}"u8));
        Assert.Null(FrrSync.VtyAnswer("{}\0\0\0"u8)); // the status byte has not arrived yet
        Assert.Equal(("{}", (byte)0), FrrSync.VtyAnswer("{}\0\0\0\0"u8));
        Assert.Equal(("% Unknown command", (byte)1), FrrSync.VtyAnswer("% Unknown command\0\0\0\u0001"u8));
    }

    [Theory]
    [InlineData("{}", "Answered")]
    [InlineData(Neighbours, "Answered")]
    [InlineData("% BGP instance not found", "Definite")]
    [InlineData("", "Transient")]
    [InlineData("[]", "Transient")]
    [InlineData("""{"192.0.2.1":{"bgpState":"Established""", "Transient")]
    public void AnswerRead_FrrJsonAnswered_FrrErrorDefinite_GarbledTransient(string output, string kind) =>
        Assert.Equal(kind, FrrSync.AnswerRead(output, Peers).Kind.ToString());

    [Theory]
    [InlineData(0, Neighbours, "Answered")]
    [InlineData(0, "vtysh: error reading from bgpd: Connection reset by peer (104)", "Transient")]
    [InlineData(1, "bgpd is not running", "Definite")]
    [InlineData(1, "Exiting: failed to connect to any daemons.", "Definite")]
    [InlineData(-1, "vtysh did not finish within 10 s", "Transient")]
    [InlineData(2, "something unexpected", "Transient")]
    public void VtyshRead_NotRunningDefinite_TimeoutAndGarbledTransient(int exitCode, string output, string kind) =>
        Assert.Equal(kind, FrrSync.VtyshRead(exitCode, output, Peers).Kind.ToString());

    [Fact]
    public void AnswerRead_Answered_CountsPerFamily() =>
        Assert.Equal(SessionRead.Answered((1, 1)), FrrSync.AnswerRead(Neighbours, Peers));
}
