using System.Net;
using System.Net.NetworkInformation;
using Vipd.Core.Reconcile;

namespace Vipd.Core.Tests.Reconcile;

public class ReconcilePlannerTests
{
    private static readonly LinkInfo Eth0 = new(2, "eth0", PhysicalAddress.Parse("02-00-00-00-00-02"), true, 1500);
    private static readonly LinkInfo Eth1Down = new(3, "eth1", PhysicalAddress.Parse("02-00-00-00-00-03"), false, 1500);
    private static readonly LinkInfo[] Links = [Eth0, Eth1Down];

    public static TheoryData<string, string[], string[], string, string> Cases => new()
    {
        // name, desired (addr/prefix%if), actual (if:addr/prefix:flags:v|o), expected changes, expected statuses
        { "missing is added", ["192.0.2.200/24%eth0"], [], "+2:192.0.2.200/24", "Add" },
        { "present is kept", ["192.0.2.200/24%eth0"], ["2:192.0.2.200/24:-:v"], "", "Present" },
        { "down link still added", ["192.0.2.200/24%eth1"], [], "+3:192.0.2.200/24", "Add" },
        { "unknown interface", ["192.0.2.200/24%eth9"], [], "", "NoInterface" },
        { "stale vipd address removed", [], ["2:192.0.2.201/32:-:v"], "-2:192.0.2.201/32", "" },
        { "operator address never removed", [], ["2:192.0.2.11/24:-:o"], "", "" },
        { "operator holds the vip", ["192.0.2.200/24%eth0"], ["2:192.0.2.200/24:-:o"], "", "HeldByOperator" },
        { "operator holds it with another prefix", ["192.0.2.200/32%eth0"], ["2:192.0.2.200/24:-:o"], "", "HeldByOperator" },
        { "dadfailed is re-added", ["2001:db8::200/64%eth0"], ["2:2001:db8::200/64:d:v"], "-2:2001:db8::200/64 +2:2001:db8::200/64", "Readd" },
        { "operator dadfailed untouched", ["2001:db8::200/64%eth0"], ["2:2001:db8::200/64:d:o"], "", "HeldByOperator" },
        { "prefix change replaces", ["192.0.2.200/32%eth0"], ["2:192.0.2.200/24:-:v"], "-2:192.0.2.200/24 +2:192.0.2.200/32", "Add" },
        { "moved interface", ["192.0.2.200/24%eth1"], ["2:192.0.2.200/24:-:v"], "-2:192.0.2.200/24 +3:192.0.2.200/24", "Add" },
        { "same address on another interface is not held", ["192.0.2.200/24%eth0"], ["3:192.0.2.200/24:-:o"], "+2:192.0.2.200/24", "Add" },
        { "duplicate desired planned once", ["192.0.2.200/24%eth0", "192.0.2.200/24%eth0"], [], "+2:192.0.2.200/24", "Add" },
        { "tentative vipd address kept", ["2001:db8::200/64%eth0"], ["2:2001:db8::200/64:t:v"], "", "Present" },
        {
            "mixed: removes before adds",
            ["192.0.2.200/24%eth0", "2001:db8::200/64%eth0"],
            ["2:192.0.2.11/24:-:o", "2:192.0.2.199/24:-:v", "2:2001:db8::200/64:-:v"],
            "-2:192.0.2.199/24 +2:192.0.2.200/24",
            "Add Present"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Plan_Table_ExpectedChanges(string name, string[] desired, string[] actual, string changes, string statuses)
    {
        var bindings = desired.Select(ParseBinding).ToList();
        var plan = ReconcilePlanner.Plan(bindings, [.. actual.Select(ParseAddress)], Links);

        Assert.True(changes == Format(plan.Changes), $"{name}: changes {Format(plan.Changes)}");
        var got = string.Join(' ', bindings.Distinct().Select(b => plan.Bindings[b].Status.ToString()));
        Assert.True(statuses == got, $"{name}: statuses {got}");
    }

    [Fact]
    public void Plan_NoInterface_LinkIsNull()
    {
        var binding = ParseBinding("192.0.2.200/24%eth9");

        var plan = ReconcilePlanner.Plan([binding], [], Links);

        Assert.Null(plan.Bindings[binding].Link);
    }

    [Fact]
    public void Plan_DownLink_CarriesLinkState()
    {
        var binding = ParseBinding("192.0.2.200/24%eth1");

        var plan = ReconcilePlanner.Plan([binding], [], Links);

        Assert.Equal(Eth1Down, plan.Bindings[binding].Link);
    }

    private static string Format(IReadOnlyList<AddressChange> changes)
        => string.Join(' ', changes.Select(c => $"{(c.Kind == AddressChangeKind.Add ? '+' : '-')}{c.InterfaceIndex}:{c.Address}/{c.PrefixLength}"));

    private static VipBinding ParseBinding(string text)
    {
        var percent = text.IndexOf('%', StringComparison.Ordinal);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return new VipBinding(IPAddress.Parse(text[..slash]), int.Parse(text[(slash + 1)..percent], System.Globalization.CultureInfo.InvariantCulture), text[(percent + 1)..]);
    }

    private static InterfaceAddress ParseAddress(string text)
    {
        var parts = text.Split(':');
        var index = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        var ours = parts[^1] == "v";
        var flags = parts[^2] switch
        {
            "d" => AddressFlags.DadFailed,
            "t" => AddressFlags.Tentative,
            _ => AddressFlags.Permanent,
        };
        var prefixed = string.Join(':', parts[1..^2]);
        var slash = prefixed.IndexOf('/', StringComparison.Ordinal);
        return new InterfaceAddress(index, IPAddress.Parse(prefixed[..slash]), int.Parse(prefixed[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture), flags, ours);
    }
}
