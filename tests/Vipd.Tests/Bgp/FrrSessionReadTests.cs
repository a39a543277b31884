using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Vipd.Bgp;
using Vipd.Core.Checks;
using Vipd.Core.Config;
using Vipd.Tests.Checks;

namespace Vipd.Tests.Bgp;

/// <summary>
/// The session read through a real vty socket (a fake bgpd on a unix socket in a temporary folder): a bgpd slower than
/// the vty timeout or cut off mid-answer keeps the last state for two reads and loses it at the third; a bgpd that is
/// gone (socket refused or missing) or refuses the command loses it at once. The clock is a fake one: the vty timeout
/// runs on it too, so a read times out exactly when a test moves the clock past it, and an answer never does.
/// </summary>
public sealed class FrrSessionReadTests : IAsyncLifetime
{
    private const string BothEstablished = """
        {"192.0.2.1":{"remoteAs":64512,"bgpState":"Established"},"2001:db8::1":{"remoteAs":64512,"bgpState":"Established"}}
        """;

    private const string NoneEstablished = """
        {"192.0.2.1":{"remoteAs":64512,"bgpState":"Active"},"2001:db8::1":{"remoteAs":64512,"bgpState":"Connect"}}
        """;

    private static readonly TimeSpan VtyTimeout = TimeSpan.FromSeconds(2);
    private static readonly BgpSessions Established = new(BgpSessionState.Established, BgpSessionState.Established);
    private static readonly BgpSessions Down = new(BgpSessionState.Down, BgpSessionState.Down);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("vipd-bgpd-");
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger _logger = new();
    private readonly List<BgpSessions> _reported = [];
    private readonly BgpConfig _bgp;
    private FrrSync _frr = null!;
    private FakeBgpd? _bgpd;

    public FrrSessionReadTests()
    {
        _bgp = new BgpConfig
        {
            Asn = 64513,
            RouterId = IPAddress.Parse("192.0.2.11"),
            Vtysh = Path.Combine(_directory.FullName, "no-vtysh"), // no vtysh fallback: the socket is all there is
            Peers = new(
            [
                new BgpPeerConfig { Address = IPAddress.Parse("192.0.2.1"), Asn = 64512 },
                new BgpPeerConfig { Address = IPAddress.Parse("2001:db8::1"), Asn = 64512 },
            ]),
        };
    }

    private string SocketPath => Path.Combine(_directory.FullName, "bgpd.vty");

    public Task InitializeAsync()
    {
        _frr = new FrrSync(_logger, _time, _directory.FullName, VtyTimeout);
        _frr.SessionChanged += _reported.Add;
        _bgpd = new FakeBgpd(SocketPath) { Answer = BothEstablished };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _frr.DisposeAsync();
        if (_bgpd is not null)
        {
            await _bgpd.DisposeAsync();
        }

        _directory.Delete(recursive: true);
    }

    /// <summary>Reads once and answers what has been reported so far.</summary>
    private async Task<BgpSessions[]> ReadAsync()
    {
        await _frr.ReadSessionsAsync(_bgp);
        return [.. _reported];
    }

    /// <summary>Reads once while the fake bgpd stays silent: once it has the command, the vty timeout passes.</summary>
    private async Task<BgpSessions[]> ReadTimingOutAsync()
    {
        var commands = _bgpd!.Commands;
        var read = _frr.ReadSessionsAsync(_bgp);
        for (var i = 0; i < 1000 && _bgpd.Commands == commands; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(commands + 1, _bgpd.Commands);
        Assert.False(read.IsCompleted);
        _time.Advance(VtyTimeout);
        await read.WaitAsync(TimeSpan.FromSeconds(10));
        return [.. _reported];
    }

    private async Task StopBgpdAsync()
    {
        await _bgpd!.DisposeAsync();
        _bgpd = null;
    }

    private int Logged(int eventId) => _logger.Entries.Count(e => e.Id.Id == eventId);

    [Fact]
    public async Task ReadSessions_BgpdAnswers_ReportsEachChangeOnce()
    {
        Assert.Equal([Established], await ReadAsync());
        Assert.Equal([Established], await ReadAsync());
        Assert.Equal(2, _frr.EstablishedSessions);

        _bgpd!.Answer = NoneEstablished; // an answer listing no session Established is authoritative: at once
        Assert.Equal([Established, Down], await ReadAsync());
        Assert.Equal(0, _frr.EstablishedSessions);
        Assert.Equal((0, 0), (_frr.TransientReadFailures, _frr.DefiniteReadFailures));
        Assert.Equal(3, _bgpd.Commands);
    }

    [Fact]
    public async Task ReadSessions_BgpdSlowerThanTimeout_KeepsStateTwice_ThirdReportsNone()
    {
        await ReadAsync();
        _bgpd!.Behaviour = FakeBgpd.Reply.Silent;

        Assert.Equal([Established], await ReadTimingOutAsync());
        Assert.Equal([Established], await ReadTimingOutAsync());
        Assert.Equal(2, _frr.EstablishedSessions);
        Assert.Equal(1, Logged(135));
        Assert.Equal(0, Logged(136));

        Assert.Equal([Established, Down], await ReadTimingOutAsync());
        Assert.Equal(1, Logged(136));
        Assert.Equal((3, 0), (_frr.TransientReadFailures, _frr.DefiniteReadFailures));
        Assert.Equal(4, _bgpd.Commands);

        // bgpd answers again: the sessions are back at once, the recovery logged.
        _bgpd.Behaviour = FakeBgpd.Reply.Answer;
        Assert.Equal([Established, Down, Established], await ReadAsync());
        Assert.Equal(1, Logged(137));
    }

    [Fact]
    public async Task ReadSessions_AnswerCutOffMidway_KeepsState()
    {
        await ReadAsync();
        _bgpd!.Behaviour = FakeBgpd.Reply.Half;
        Assert.Equal([Established], await ReadAsync());
        Assert.Equal([Established], await ReadAsync());
        Assert.Equal((2, 0), (_frr.TransientReadFailures, _frr.DefiniteReadFailures));

        // An answer in between starts the count again.
        _bgpd.Behaviour = FakeBgpd.Reply.Answer;
        await ReadAsync();
        _bgpd.Behaviour = FakeBgpd.Reply.Half;
        Assert.Equal([Established], await ReadAsync());
        Assert.Equal([Established], await ReadAsync());
    }

    [Fact]
    public async Task ReadSessions_SlowAndLastAnswerHoldLimitOld_ReportsNoneAtFirstFailure()
    {
        await ReadAsync();
        _bgpd!.Behaviour = FakeBgpd.Reply.Silent;
        _time.Advance(SessionReadTracker.HoldLimit);
        Assert.Equal([Established, Down], await ReadTimingOutAsync());
        Assert.Equal(1, Logged(136));
    }

    [Fact]
    public async Task ReadSessions_SocketRefuses_ReportsNoneAtOnce()
    {
        await ReadAsync();
        await StopBgpdAsync();

        // What a killed bgpd leaves: its socket file, nobody listening (a socket bound but not listening refuses too).
        using var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        if (!File.Exists(SocketPath))
        {
            stale.Bind(new UnixDomainSocketEndPoint(SocketPath));
        }

        Assert.Equal([Established, Down], await ReadAsync());
        Assert.Equal((0, 1), (_frr.TransientReadFailures, _frr.DefiniteReadFailures));
        Assert.Equal(1, Logged(138));
        Assert.Equal(0, Logged(135));
    }

    [Fact]
    public async Task ReadSessions_SocketMissingAndNoVtysh_ReportsNoneAtOnce()
    {
        await ReadAsync();
        await StopBgpdAsync();
        File.Delete(SocketPath);

        Assert.Equal([Established, Down], await ReadAsync());
        Assert.Equal((0, 1), (_frr.TransientReadFailures, _frr.DefiniteReadFailures));
    }

    [Fact]
    public async Task ReadSessions_SlowThenRefused_RefusalActsAtOnce()
    {
        await ReadAsync();
        _bgpd!.Behaviour = FakeBgpd.Reply.Silent;
        Assert.Equal([Established], await ReadTimingOutAsync());

        await StopBgpdAsync();
        using var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        if (!File.Exists(SocketPath))
        {
            stale.Bind(new UnixDomainSocketEndPoint(SocketPath));
        }

        Assert.Equal([Established, Down], await ReadAsync());
    }

    [Fact]
    public async Task ReadSessions_BgpdRefusesCommand_ReportsNoneAtOnce()
    {
        await ReadAsync();
        _bgpd!.Answer = "% Unknown command: show bgp neighbors json";
        _bgpd.Status = 1;
        Assert.Equal([Established, Down], await ReadAsync());
        Assert.Equal((0, 1), (_frr.TransientReadFailures, _frr.DefiniteReadFailures));
    }

    [Fact]
    public async Task ReadVty_SocketPathGone_Definite()
    {
        // The socket removed between the existence check and the connect (ENOENT).
        var read = await _frr.ReadVtyAsync(Path.Combine(_directory.FullName, "gone.vty"), "show bgp neighbors json", _bgp.Peers);
        Assert.Equal(SessionReadKind.Definite, read.Kind);
    }

    [Fact]
    public async Task ReadSessions_FirstReadsSlow_ReportNothingUntilTheThird()
    {
        _bgpd!.Behaviour = FakeBgpd.Reply.Silent;
        Assert.Empty(await ReadTimingOutAsync());
        Assert.Empty(await ReadTimingOutAsync());
        Assert.Equal(-1, _frr.EstablishedSessions);
        Assert.Equal([Down], await ReadTimingOutAsync());
    }
}
