using System.Net;
using Grpc.Core;
using Vipd.Api.V1;
using Vipd.Lab.Daemon;

namespace Vipd.Lab.Tests.Api;

/// <summary>
/// Dynamic VIPs stay within what each node's operator allows (<c>[api] vip_prefixes</c>): the API refuses the rest
/// and applies nothing of a request with one bad VIP, and a node never binds a replicated VIP its own config forbids.
/// </summary>
public sealed class DynamicVipLimitsLabTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ApplyVips_MemberAddressOrNoPrefixes_RefusedBoundNowhereAndForbiddenNodeNeverBindsReplicatedVip()
    {
        await using var lab = await LabNetwork.CreateAsync(3);
        var (n1, n2, n3) = (lab.Nodes[0], lab.Nodes[1], lab.Nodes[2]);
        var options = new VipdClusterOptions { ApiFor = node => node == n3 ? string.Empty : """vip_prefixes = ["192.0.2.0/24"]""" };
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), options);
        await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        Assert.Equal(0, (await lab.Client.ExecAsync("ping", "-c", "1", "-W", "2", n2.IPv4.ToString())).ExitCode);
        Assert.Equal(n2.Mac, (await lab.Client.NeighborAsync(n2.IPv4))?.Mac);

        // n2's own address, in a request with a good VIP: refused, naming the VIP and why; nothing applied.
        using (var client = await ApiClient.ConnectAsync(cluster, n1, Settle))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() => client.Service.ApplyVipsAsync(
                Apply("t", ("good", "192.0.2.150/24"), ("hijack", $"{n2.IPv4}/24"))).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.Contains($"VIP 'hijack': {n2.IPv4} is the node address of member '{n2.Name}'", refused.Status.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain("'good'", refused.Status.Detail, StringComparison.Ordinal);
            var outside = await Assert.ThrowsAsync<RpcException>(() => client.Service.ApplyVipsAsync(Apply("t", ("far", "198.51.100.9/24"))).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, outside.StatusCode);
            Assert.Contains("is outside [api] vip_prefixes", outside.Status.Detail, StringComparison.Ordinal);
            Assert.Empty((await client.Service.ListVipsAsync(new ListVipsRequest { Source = "t" })).Vips);
        }

        // n3 allows no dynamic VIP: FAILED_PRECONDITION naming the key and the file.
        using (var client = await ApiClient.ConnectAsync(cluster, n3, Settle))
        {
            var off = await Assert.ThrowsAsync<RpcException>(() => client.Service.ApplyVipsAsync(Apply("t", ("good", "192.0.2.150/24"))).ResponseAsync);
            Assert.Equal(StatusCode.FailedPrecondition, off.StatusCode);
            Assert.Contains($"set [api] vip_prefixes in {cluster.ConfigPath(n3)}", off.Status.Detail, StringComparison.Ordinal);
        }

        // Accepted on n1 and replicated: n3 ranks best for it but its config forbids it, so another node holds it.
        var preferred = IPAddress.Parse("192.0.2.150");
        using (var client = await ApiClient.ConnectAsync(cluster, n1, Settle))
        {
            var request = Apply("t", ("pref", $"{preferred}/24"));
            request.Vips[0].Priorities.Add(n3.Name, 250);
            await client.Service.ApplyVipsAsync(request);
        }

        using (var client = await ApiClient.ConnectAsync(cluster, n3, Settle))
        {
            for (var i = 0; i < 100 && (await client.Service.ListVipsAsync(new ListVipsRequest { Source = "t" })).Vips.Count == 0; i++)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }

            Assert.Single((await client.Service.ListVipsAsync(new ListVipsRequest { Source = "t" })).Vips);
        }

        var holder = await cluster.WaitForSingleHolderAsync(preferred, Settle);
        Assert.NotEqual(n3, holder);
        for (var i = 0; i < 10; i++)
        {
            Assert.DoesNotContain(n3, await cluster.HoldersAsync(preferred));
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        // n2's address was bound nowhere else and the client still reaches n2 there.
        Assert.Equal([n2], await cluster.HoldersAsync(n2.IPv4));
        Assert.Equal(n2.Mac, (await lab.Client.NeighborAsync(n2.IPv4))?.Mac);
    }

    private static ApplyVipsRequest Apply(string source, params (string Name, string Address)[] vips)
    {
        var request = new ApplyVipsRequest { Source = source };
        request.Vips.AddRange(vips.Select(v => new DynamicVip { Name = v.Name, Address = v.Address }));
        return request;
    }
}
