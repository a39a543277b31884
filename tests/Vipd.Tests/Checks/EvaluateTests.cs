using System.Net;
using Vipd.Core.Checks;
using Vipd.Core.Config;

namespace Vipd.Tests.Checks;

/// <summary>Table tests of <see cref="CheckEvaluation.Evaluate"/>.</summary>
public sealed class EvaluateTests
{
    private static readonly Dictionary<string, CheckConfig> Defined = new()
    {
        ["hard"] = Checks.Make("hard", weight: 0),
        ["soft"] = Checks.Make("soft", weight: -20),
        ["plus"] = Checks.Make("plus", weight: 30),
        ["file"] = Checks.Make("file", CheckType.File, path: "/run/prio"),
    };

    public static TheoryData<string[], string, bool, int> Cases => new()
    {
        // vip checks, statuses ("name=P" passing, "name=F" failing, "name=P:5" passing with file value 5), eligible, shift
        { [], "", true, 0 },
        { ["hard"], "hard=P", true, 0 },
        { ["hard"], "hard=F", false, 0 },
        { ["hard"], "", false, 0 },
        { ["soft"], "soft=F", true, -20 },
        { ["soft"], "soft=P", true, 0 },
        { ["soft", "plus"], "soft=F plus=F", true, 10 },
        { ["soft", "hard"], "soft=F hard=F", false, -20 },
        { ["file"], "file=P:15", true, 15 },
        { ["file"], "file=P:-300", true, -300 },
        { ["file"], "file=P", true, 0 },
        { ["file"], "file=F", false, 0 },
        { ["file", "soft"], "file=P:5 soft=F", true, -15 },
        { ["soft"], "hard=P", false, 0 },
        { ["undefined"], "undefined=P", false, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_Table(string[] vipChecks, string statuses, bool eligible, int shift)
    {
        var verdict = CheckEvaluation.Evaluate(Vip(vipChecks), Parse(statuses), Defined);

        Assert.Equal(eligible, verdict.Eligible);
        Assert.Equal(shift, verdict.PriorityShift);
        Assert.NotEmpty(verdict.Reason);
    }

    [Fact]
    public void Evaluate_Reasons_NameEachCheckThatCounts()
    {
        var current = Parse("hard=F soft=F file=P:5");

        var verdict = CheckEvaluation.Evaluate(Vip(["hard", "soft", "file", "plus"]), current, Defined);

        Assert.Equal("check hard is failing: detail; check soft is failing (-20): detail; check file value +5; check plus has not run yet", verdict.Reason);
    }

    [Fact]
    public void Evaluate_AllPassing_SaysSo()
    {
        Assert.Equal(new CheckVerdict(true, 0, "all checks passing"), CheckEvaluation.Evaluate(Vip(["hard"]), Parse("hard=P"), Defined));
        Assert.Equal(new CheckVerdict(true, 0, "no checks"), CheckEvaluation.Evaluate(Vip([]), Parse(""), Defined));
    }

    private static Dictionary<string, CheckStatus> Parse(string statuses)
    {
        var result = new Dictionary<string, CheckStatus>();
        foreach (var item in statuses.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, state) = (item.Split('=')[0], item.Split('=')[1]);
            var parts = state.Split(':');
            int? value = parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : null;
            result[name] = new CheckStatus(name, parts[0] == "P", "detail", value);
        }

        return result;
    }

    private static VipConfig Vip(string[] checks) => new()
    {
        Name = "web",
        Address = IPAddress.Parse("192.0.2.200"),
        PrefixLength = 24,
        Interface = "eth0",
        Priority = 100,
        Priorities = new EquatableArray<NodePriority>([]),
        Preempt = true,
        PreemptDelay = TimeSpan.Zero,
        Nodes = new EquatableArray<string>([]),
        Checks = new EquatableArray<string>(checks),
        Announce = new AnnounceConfig { Count = 3, Interval = TimeSpan.FromMilliseconds(50), SecondBurstAfter = TimeSpan.FromSeconds(2), Refresh = TimeSpan.FromSeconds(60) },
    };
}
