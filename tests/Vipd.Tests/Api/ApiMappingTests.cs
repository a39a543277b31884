using System.Text;
using Vipd.Api;
using Vipd.Api.V1;
using Vipd.Core.Election;
using CoreMemberState = Vipd.Core.Membership.MemberState;

namespace Vipd.Tests.Api;

public sealed class ApiMappingTests
{
    private static readonly VipExplanation Explained = new("web", "n2", "n2 owns it: rank 1",
        [new CandidateVerdict("n2", 1, "rank 1: priority 100, eligible"), new CandidateVerdict("n1", 2, "rank 2: priority 100, eligible"), new CandidateVerdict("n3", 0, "not eligible: in maintenance")],
        null);

    [Theory]
    [InlineData("n1", true, "n1", VipState.Holding)]
    [InlineData("n2", true, "n1", VipState.Holding)]
    [InlineData("n1", false, "n2", VipState.Standby)]
    [InlineData("n3", false, "n2", VipState.Ineligible)]
    [InlineData("n4", false, "n2", VipState.Ineligible)]
    [InlineData("n1", false, null, VipState.Unowned)]
    public void StateOf_LocalStanding_MapsToKeepalivedLikeState(string local, bool holding, string? owner, VipState expected) =>
        Assert.Equal(expected, ApiMapping.StateOf(local, holding, owner, Explained));

    [Theory]
    [InlineData(CoreMemberState.Alive, MemberState.Alive)]
    [InlineData(CoreMemberState.Suspect, MemberState.Suspect)]
    [InlineData(CoreMemberState.Dead, MemberState.Dead)]
    [InlineData(CoreMemberState.Left, MemberState.Left)]
    [InlineData((CoreMemberState)99, MemberState.Unspecified)]
    public void ToApi_MemberState_SameMeaning(CoreMemberState state, MemberState expected) =>
        Assert.Equal(expected, ApiMapping.ToApi(state));

    [Fact]
    public void ToApi_Explanation_RanksAndReasonsKept()
    {
        var response = ApiMapping.ToApi(Explained with { ReconsiderAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) });

        Assert.Equal("n2", response.Owner);
        Assert.Equal(["n2", "n1", "n3"], response.Candidates.Select(c => c.Node));
        Assert.Equal([1u, 2u, 0u], response.Candidates.Select(c => c.Rank));
        Assert.Equal("not eligible: in maintenance", response.Candidates[2].Reason);
        Assert.NotNull(response.ReconsiderAt);
    }

    [Fact]
    public void Digest_Bytes_Sha256HexWithPrefix() =>
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiMapping.Digest("abc"u8));

    [Fact]
    public void DecodeText_ByteOrderMark_Dropped() =>
        Assert.Equal("[node]", ApiMapping.DecodeText([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("[node]")]));

    [Theory]
    [InlineData("claimed by AA:BB:cc:dd:ee:0f (Arp)", "aa:bb:cc:dd:ee:0f")]
    [InlineData("something else", "something else")]
    [InlineData(null, "")]
    public void MacOf_ConflictMessage_MacExtracted(string? message, string expected) =>
        Assert.Equal(expected, ApiMapping.MacOf(message));

    [Fact]
    public void Refused_ConfigErrors_PositionsKept()
    {
        var result = ApiMapping.Refused(DateTimeOffset.UnixEpoch, [new Vipd.Core.Config.ConfigError("/etc/vipd/vipd.toml", 8, 12, "unknown key 'addres'")]);

        Assert.False(result.Ok);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("/etc/vipd/vipd.toml", 8u, 12u, "unknown key 'addres'"), (error.File, error.Line, error.Column, error.Message));
    }
}
