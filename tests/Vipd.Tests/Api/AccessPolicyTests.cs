using Vipd.Api;

namespace Vipd.Tests.Api;

public sealed class AccessPolicyTests
{
    private static readonly AccessPolicy RootOnly = new(null, null);
    private static readonly AccessPolicy Operators = new("vipd-ops", 990);

    private static CallerIdentity Unix(uint uid, uint gid, params uint[] groups) => new(ApiTransport.UnixSocket, uid, gid, groups, null);

    [Fact]
    public void DenyMutating_Root_Allowed()
    {
        Assert.Null(RootOnly.DenyMutating(Unix(0, 0), "Drain"));
        Assert.Null(Operators.DenyMutating(Unix(0, 0), "Drain"));
    }

    [Fact]
    public void DenyMutating_UserWithoutGroupSetting_DeniedWithHint()
    {
        var why = RootOnly.DenyMutating(Unix(1000, 1000, 1000, 27), "Drain");

        Assert.NotNull(why);
        Assert.Contains("only root", why, StringComparison.Ordinal);
        Assert.Contains("uid 1000", why, StringComparison.Ordinal);
        Assert.Contains("mutating_group", why, StringComparison.Ordinal);
    }

    [Fact]
    public void DenyMutating_PrimaryGroupIsMutatingGroup_Allowed() =>
        Assert.Null(Operators.DenyMutating(Unix(1000, 990), "Reload"));

    [Fact]
    public void DenyMutating_SupplementaryGroupIsMutatingGroup_Allowed() =>
        Assert.Null(Operators.DenyMutating(Unix(1000, 1000, 4, 990), "Reload"));

    [Fact]
    public void DenyMutating_OtherGroups_DeniedNamingTheGroup()
    {
        var why = Operators.DenyMutating(Unix(1000, 1000, 4, 27), "Move");

        Assert.NotNull(why);
        Assert.StartsWith("Move changes the node", why, StringComparison.Ordinal);
        Assert.Contains("'vipd-ops'", why, StringComparison.Ordinal);
    }

    [Fact]
    public void DenyMutating_GroupMissingOnHost_OnlyRoot()
    {
        var policy = new AccessPolicy("vipd-ops", null);

        Assert.Null(policy.DenyMutating(Unix(0, 0), "Drain"));
        Assert.Contains("does not exist", policy.DenyMutating(Unix(1000, 990, 990), "Drain"), StringComparison.Ordinal);
    }

    [Fact]
    public void DenyMutating_TcpWithVerifiedCertificate_Allowed() =>
        Assert.Null(RootOnly.DenyMutating(new CallerIdentity(ApiTransport.Tcp, null, null, [], "CN=ops"), "Drain"));

    [Fact]
    public void DenyMutating_TcpWithoutCertificate_Denied() =>
        Assert.Contains("tls_client_ca", RootOnly.DenyMutating(new CallerIdentity(ApiTransport.Tcp, null, null, [], null), "Drain"), StringComparison.Ordinal);

    [Fact]
    public void DenyMutating_UnknownCaller_Denied() =>
        Assert.NotNull(Operators.DenyMutating(CallerIdentity.Unknown, "Drain"));

    [Theory]
    [InlineData("vipd", 995u)]
    [InlineData("nogroup", 65534u)]
    [InlineData("missing", null)]
    [InlineData("vip", null)]
    public void GroupId_GroupFile_FindsExactName(string name, uint? expected)
    {
        const string Text = "root:x:0:\nvipd:x:995:alice,bob\nnogroup:x:65534:\nbroken:x:notanumber:\n";

        Assert.Equal(expected, AccessPolicy.GroupId(Text, name));
    }
}
