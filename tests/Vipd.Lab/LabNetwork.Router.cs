using System.Net;
using System.Net.NetworkInformation;

namespace Vipd.Lab;

/// <summary>The routed part of the lab: a router on the bridge and a client on a subnet of its own behind it.</summary>
public sealed partial class LabNetwork
{
    /// <summary>The remote client's IPv4 subnet behind the router: 203.0.113.240/28 (clear of <c>ManyVips</c> up to 478 VIPs).</summary>
    public static IPAddress RemoteNetwork4 { get; } = IPAddress.Parse("203.0.113.240");

    /// <summary>The remote client's IPv6 subnet behind the router: 2001:db8:1::/64.</summary>
    public static IPAddress RemoteNetwork6 { get; } = IPAddress.Parse("2001:db8:1::");

    /// <summary>The router (after <see cref="AddRouterAsync"/>): eth0 on the bridge, 192.0.2.1 and 2001:db8::1.</summary>
    public LabHost? Router { get; private set; }

    /// <summary>
    /// The client behind the router (after <see cref="AddRouterAsync"/>): eth0 is a veth straight to the router's eth1,
    /// 203.0.113.242/28 and 2001:db8:1::100/64, default routes via the router. It has no bridge port.
    /// </summary>
    public LabHost? RemoteClient { get; private set; }

    /// <summary>
    /// Adds a router namespace "<c>PREFIX-r</c>" (plain Linux forwarding, kernel defaults otherwise: <c>arp_accept</c>
    /// 0, <c>locktime</c> 1 s) between the bridge and a remote client namespace "<c>PREFIX-rc</c>" on 203.0.113.240/28
    /// and 2001:db8:1::/64, and routes to that subnet via the router on the nodes and the client. Once per lab.
    /// </summary>
    public async Task<(LabHost Router, LabHost RemoteClient)> AddRouterAsync()
    {
        ThrowIfDisposed();
        if (Router is not null || RemoteClient is not null)
        {
            throw new InvalidOperationException($"{this} already has a router");
        }

        var router = new LabHost(this, "router", $"{Prefix}-r", "p-r", new PhysicalAddress([0x02, 0x1a, 0xb0, 0x00, 0x02, 0x01]), IPAddress.Parse("192.0.2.1"), IPAddress.Parse("2001:db8::1"));
        var remote = new LabHost(this, "remote", $"{Prefix}-rc", string.Empty, new PhysicalAddress([0x02, 0x1a, 0xb0, 0x00, 0x03, 0x00]), IPAddress.Parse("203.0.113.242"), IPAddress.Parse("2001:db8:1::100"));
        await Tool.CheckAsync("ip", ["-batch", "-"], $"netns add {router.Namespace}\nnetns add {remote.Namespace}\n").ConfigureAwait(false);
        string[] noDad =
        [
            "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0",
            "net.ipv6.conf.all.dad_transmits=0",
            "net.ipv6.conf.default.dad_transmits=0",
            "net.ipv6.conf.all.accept_ra=0",
            "net.ipv6.conf.default.accept_ra=0",
        ];
        await Sysctl(router.Namespace, [.. noDad, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]).ConfigureAwait(false);
        await Sysctl(remote.Namespace, noDad).ConfigureAwait(false);

        // The router's eth0 on the bridge (configured like every host), its eth1 a veth to the remote client's eth0.
        await IpBatchAsync(
            BridgeNamespace,
            $"link add {router.BridgePort} type veth peer name eth0 netns {router.Namespace}",
            $"link set {router.BridgePort} master {Bridge}",
            $"link set {router.BridgePort} up").ConfigureAwait(false);
        await ConfigureHostAsync(router).ConfigureAwait(false);
        await IpBatchAsync(
            router.Namespace,
            $"link add eth1 type veth peer name eth0 netns {remote.Namespace}",
            "addr add 203.0.113.241/28 dev eth1",
            "addr add 2001:db8:1::1/64 dev eth1 nodad",
            "link set eth1 up").ConfigureAwait(false);
        await IpBatchAsync(
            remote.Namespace,
            "link set lo up",
            "link set eth0 address 02:1a:b0:00:03:00",
            $"addr add {remote.IPv4}/28 dev eth0",
            $"addr add {remote.IPv6}/64 dev eth0 nodad",
            "link set eth0 up",
            "route add default via 203.0.113.241",
            "route add default via 2001:db8:1::1").ConfigureAwait(false);
        var link = await Tool.CheckAsync("ip", ["-n", remote.Namespace, "-j", "link", "show", "eth0"]).ConfigureAwait(false);
        using (var doc = System.Text.Json.JsonDocument.Parse(link.StdOut))
        {
            remote.InterfaceIndex = doc.RootElement[0].GetProperty("ifindex").GetInt32();
        }

        // Replies to the remote client (from the nodes' own addresses and from VIPs) go via the router.
        Router = router;
        RemoteClient = remote;
        await Task.WhenAll(Hosts.Select(AddRemoteRoutesAsync)).ConfigureAwait(false);
        return (router, remote);
    }

    /// <summary>
    /// (Re)adds <paramref name="host"/>'s routes to the remote subnet via the router. Setting eth0 down deletes them: call
    /// this after <see cref="LabHost.SetLinkAsync"/> brings a crashed node back.
    /// </summary>
    public Task AddRemoteRoutesAsync(LabHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        CheckOwn(host);
        return Router is null
            ? throw new InvalidOperationException($"{this} has no router")
            : IpBatchAsync(host.Namespace, "route replace 203.0.113.240/28 via 192.0.2.1", "route replace 2001:db8:1::/64 via 2001:db8::1");
    }
}
