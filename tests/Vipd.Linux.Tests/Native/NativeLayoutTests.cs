using System.Reflection;
using System.Runtime.InteropServices;
using Vipd.Linux.Native;

namespace Vipd.Linux.Tests.Native;

/// <summary>The structs and constants of Native/ against the real kernel headers, compiled with gcc.</summary>
public sealed class NativeLayoutTests
{
    private static readonly Type[] Structs =
    [
        typeof(nlmsghdr), typeof(nlmsgerr), typeof(ifaddrmsg), typeof(ifinfomsg), typeof(rtattr), typeof(sockaddr_nl),
        typeof(ifa_cacheinfo),
    ];

    private static readonly Type[] ConstantClasses =
    [
        typeof(NetlinkConstants), typeof(RtnetlinkConstants), typeof(IfAddrConstants), typeof(IfLinkConstants),
        typeof(IfConstants), typeof(Errno),
    ];

    [GccFact]
    public void Structs_SizesAndOffsets_MatchKernelHeaders()
    {
        var expressions = new List<(string, string)>();
        var expected = new Dictionary<string, long>();
        foreach (var type in Structs)
        {
            expressions.Add(($"sizeof.{type.Name}", $"sizeof(struct {type.Name})"));
            expected[$"sizeof.{type.Name}"] = Marshal.SizeOf(type);
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                var name = $"offsetof.{type.Name}.{field.Name}";
                expressions.Add((name, $"offsetof(struct {type.Name}, {field.Name})"));
                expected[name] = Marshal.OffsetOf(type, field.Name).ToInt64();
            }
        }

        var actual = CHeaderProbe.Evaluate(expressions);

        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
    }

    [GccFact]
    public void Constants_Values_MatchKernelHeaders()
    {
        var expressions = new List<(string, string)>();
        var expected = new Dictionary<string, long>();
        foreach (var type in ConstantClasses)
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
            {
                var value = field.GetRawConstantValue()!;
                // Cast the C value to the C# constant's type, so that e.g. NLA_TYPE_MASK (an int ~mask) compares as u16.
                var cType = value switch
                {
                    byte => "unsigned char",
                    ushort => "unsigned short",
                    uint => "unsigned int",
                    _ => "int",
                };
                expressions.Add((field.Name, $"({cType})({field.Name})"));
                expected[field.Name] = Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        var actual = CHeaderProbe.Evaluate(expressions);

        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
        Assert.True(expected.Count > 90, $"only {expected.Count} constants checked");
    }
}
