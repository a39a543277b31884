using Vipctl.Commands;
using Vipctl.Output;
using Vipd.Api.V1;

namespace Vipctl.Tests;

/// <summary>Table pieces that the fake cluster's answers do not reach: lost quorum, failed reloads, durations, unknown enums.</summary>
public sealed class RenderTests
{
    [Theory]
    [InlineData(0.25, "250ms")]
    [InlineData(1.55, "1.5s")]
    [InlineData(59.99, "59.9s")]
    [InlineData(61, "1m1s")]
    [InlineData(3723, "1h2m")]
    [InlineData(200000, "2d7h")]
    public void Span_Duration_ReadsShort(double seconds, string expected)
    {
        Assert.Equal(expected, Words.Span(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void Status_QuorumLostAndReloadFailed_SaysSo()
    {
        var status = FakeVipd.Status();
        status.Quorum = new Quorum { Required = true, Present = false, Live = 1, Expected = 3, Needed = 2 };
        status.LastReload = new ReloadResult { Time = FakeVipd.At(-30), Ok = false, Errors = { new ConfigError { File = "f", Line = 1, Column = 1, Message = "m" } } };
        status.Mode = NodeMode.Drained;
        using var writer = new StringWriter { NewLine = "\n" };

        StatusCommand.Render(status).Write(writer, color: false);

        var text = writer.ToString();
        Assert.Contains("quorum       LOST (1 live of 3, 2 needed): holding nothing\n", text, StringComparison.Ordinal);
        Assert.Contains("last reload  failed at 2026-11-25T11:59:30Z: 1 error(s), the running config stays\n", text, StringComparison.Ordinal);
        Assert.Contains("mode         drained\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_BgpVips_ShowModeAndWhetherThisNodeAdvertises()
    {
        var activeActive = new ExplainResponse { Vip = "anycast", Summary = "active-active BGP VIP, every eligible node advertises it; this node advertises it", Mode = "bgp", Policy = "active-active", Advertised = true };
        var activeStandby = new ExplainResponse { Vip = "db", Owner = "n2", Summary = "n2 owns it: rank 1", Mode = "bgp", Policy = "active-standby", Candidates = { new Candidate { Node = "n2", Rank = 1, Reason = "rank 1" } } };
        using var writer = new StringWriter { NewLine = "\n" };

        ExplainCommand.Render(activeActive, writer, color: false);
        ExplainCommand.Render(activeStandby, writer, color: false);

        var text = writer.ToString();
        Assert.StartsWith("anycast: active-active BGP VIP, every eligible node advertises it; this node advertises it\nmode bgp (active-active): advertised by this node\ndb: n2 owns it: rank 1\nmode bgp (active-standby): not advertised by this node\nRANK", text, StringComparison.Ordinal);
        Assert.Contains("n2 (owner)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_ReloadOk_ListsTheChanges()
    {
        var status = FakeVipd.Status();
        status.LastReload = new ReloadResult { Time = FakeVipd.At(-30), Ok = true, Added = { "a" }, Removed = { "b", "c" } };
        using var writer = new StringWriter { NewLine = "\n" };

        StatusCommand.Render(status).Write(writer, color: false);

        Assert.Contains("last reload  ok at 2026-11-25T11:59:30Z (added a; removed b,c)\n", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ReloadChanges_RestartRequired_SaysRestartNeeded()
    {
        var result = new ReloadResult { Ok = true, RestartRequired = { "[api]", "the key file /etc/vipd/cluster.key" } };

        Assert.Equal("restart needed for [api], the key file /etc/vipd/cluster.key (systemctl restart vipd)", ReloadCommand.Changes(result));
    }

    [Fact]
    public void Words_UnknownEnumValues_ReadUnknown()
    {
        Assert.Equal("unknown", Words.State((VipState)42).Text);
        Assert.Equal("unknown", Words.Mode((NodeMode)42).Text);
        Assert.Equal("unknown", Words.Member((MemberState)42).Text);
    }

    [Fact]
    public void Watch_UnknownEvent_ReadsAsNewer()
    {
        var line = WatchCommand.Line(new WatchEvent { Sequence = 9, Time = FakeVipd.At(0) }, color: false);

        Assert.Equal("2026-11-25T12:00:00Z #9 unknown event (a newer vipd?)", line);
    }

    [Fact]
    public void Table_Rows_HaveNoTrailingBlanksAndDashForEmpty()
    {
        var table = new Table("A", "LONGER", "C");
        table.Add("x", string.Empty, "z");
        using var writer = new StringWriter { NewLine = "\n" };

        table.Write(writer, color: false);

        Assert.Equal("A  LONGER  C\nx  -       z\n", writer.ToString());
    }

    [Fact]
    public void HostileNames_ControlCharacters_EscapedInTablesAndEventLines()
    {
        const string hostile = "n2\n\u001b[2Jvipd: all VIPs lost";
        var explain = new ExplainResponse { Vip = "web\r", Owner = hostile, Summary = "owned by " + hostile };
        explain.Candidates.Add(new Candidate { Rank = 1, Node = hostile, Reason = "eligible\tpriority 100" });
        using var writer = new StringWriter { NewLine = "\n" };

        ExplainCommand.Render(explain, writer, color: true);
        var member = new WatchEvent { Sequence = 1, Member = new MemberEvent { PreviousState = MemberState.Alive, Member = new Member { Name = hostile, State = MemberState.Dead } } };
        writer.WriteLine(WatchCommand.Line(member, color: false));

        var text = writer.ToString();
        Assert.Contains("web\\r: ", text, StringComparison.Ordinal);
        Assert.Contains("n2\\n\\x1b[2Jvipd: all VIPs lost (owner)", text, StringComparison.Ordinal);
        Assert.Contains("eligible\\tpriority 100", text, StringComparison.Ordinal);
        Assert.Contains("member n2\\n\\x1b[2Jvipd: all VIPs lost: alive -> dead", text, StringComparison.Ordinal);
        Assert.Equal(5, text.Split('\n').Length); // header, table header, one candidate, the event, and the final newline
        Assert.DoesNotContain("\u001b[2J", text, StringComparison.Ordinal);
    }
}
