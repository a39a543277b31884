using System.Net;
using Vipd.Core.Config;

namespace Vipd.Core.Tests.Config;

public class AddressParserTests
{
    [Theory]
    [InlineData("192.0.2.11")]
    [InlineData("2001:db8::11")]
    [InlineData("2001:DB8:0:0::11")]
    [InlineData("0.0.0.0")]
    public void TryParseAddress_Valid_Parsed(string text)
    {
        Assert.True(AddressParser.TryParseAddress(text, out var address));
        Assert.Equal(IPAddress.Parse(text), address);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("10.1")]
    [InlineData("192.0.2")]
    [InlineData("192.0.2.256")]
    [InlineData("192.0.2.011")]
    [InlineData("192.0.2.08")]
    [InlineData("192.0.2.-1")]
    [InlineData("192.0.2.1 ")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[2001:db8::1]")]
    [InlineData("host.example")]
    [InlineData("")]
    public void TryParseAddress_AmbiguousOrInvalid_Rejected(string text)
    {
        Assert.False(AddressParser.TryParseAddress(text, out _));
    }

    [Theory]
    [InlineData("192.0.2.12:7450", null, "192.0.2.12:7450")]
    [InlineData("192.0.2.12", 7451, "192.0.2.12:7451")]
    [InlineData("[2001:db8::12]:7450", null, "[2001:db8::12]:7450")]
    [InlineData("2001:db8::12", 7451, "[2001:db8::12]:7451")]
    public void TryParseEndPoint_Valid_Parsed(string text, int? defaultPort, string expected)
    {
        Assert.True(AddressParser.TryParseEndPoint(text, defaultPort, out var endPoint));
        Assert.Equal(IPEndPoint.Parse(expected), endPoint);
    }

    [Theory]
    [InlineData("192.0.2.12")]
    [InlineData("192.0.2.12:0")]
    [InlineData("192.0.2.12:65536")]
    [InlineData("192.0.2.12:")]
    [InlineData("[2001:db8::12]")]
    [InlineData("2001:db8::12:7450:")]
    [InlineData("host:80")]
    public void TryParseEndPoint_NoDefaultPort_Rejected(string text)
    {
        Assert.False(AddressParser.TryParseEndPoint(text, defaultPort: null, out _));
    }

    [Fact]
    public void TryParseHostPort_DnsName_DnsEndPoint()
    {
        Assert.True(AddressParser.TryParseHostPort("db.example.org:5432", out var endPoint));
        Assert.Equal(new DnsEndPoint("db.example.org", 5432), endPoint);
        Assert.False(AddressParser.TryParseHostPort("10.1:80", out _));
    }

    [Theory]
    [InlineData("192.0.2.200/24", "192.0.2.200", 24)]
    [InlineData("192.0.2.200/32", "192.0.2.200", 32)]
    [InlineData("2001:db8::200/64", "2001:db8::200", 64)]
    [InlineData("2001:db8::200/128", "2001:db8::200", 128)]
    public void TryParseCidr_Valid_AddressAndPrefix(string text, string address, int prefix)
    {
        Assert.True(AddressParser.TryParseCidr(text, out var parsed, out var length, out var error), error);
        Assert.Equal(IPAddress.Parse(address), parsed);
        Assert.Equal(prefix, length);
    }
}
