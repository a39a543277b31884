using Vipd.Checks;
using Vipd.Core.Checks;

namespace Vipd.Tests.Checks;

/// <summary>http checks against a real HTTP responder on 127.0.0.1.</summary>
public sealed class HttpProbeTests
{
    [Fact]
    public async Task RunAsync_ExpectedStatus_Passes()
    {
        await using var server = new HttpResponder();
        using var probe = new HttpProbe(server.Url("/200"), 200, insecureSkipVerify: false, TimeSpan.FromSeconds(1));

        var result = await probe.RunAsync(CancellationToken.None);

        Assert.True(result.Passed, result.Detail);
        Assert.Equal("HTTP 200", result.Detail);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task RunAsync_OtherStatus_Fails()
    {
        await using var server = new HttpResponder();
        using var probe = new HttpProbe(server.Url("/503"), 200, insecureSkipVerify: false, TimeSpan.FromSeconds(1));

        var result = await probe.RunAsync(CancellationToken.None);

        Assert.False(result.Passed);
        Assert.Equal("HTTP 503, expected 200", result.Detail);
    }

    [Fact]
    public async Task RunAsync_Expect503_503Passes()
    {
        await using var server = new HttpResponder();
        using var probe = new HttpProbe(server.Url("/503"), 503, insecureSkipVerify: false, TimeSpan.FromSeconds(1));

        Assert.True((await probe.RunAsync(CancellationToken.None)).Passed);
    }

    [Fact]
    public async Task RunAsync_Redirect_NotFollowed()
    {
        await using var server = new HttpResponder();
        using var probe = new HttpProbe(server.Url("/302"), 200, insecureSkipVerify: false, TimeSpan.FromSeconds(1));

        var result = await probe.RunAsync(CancellationToken.None);

        Assert.Equal("HTTP 302, expected 200", result.Detail);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task RunAsync_ClosedPort_Fails()
    {
        Uri url;
        await using (var server = new HttpResponder())
        {
            url = server.Url("/200");
        }

        using var probe = new HttpProbe(url, 200, insecureSkipVerify: false, TimeSpan.FromSeconds(1));
        var result = await probe.RunAsync(CancellationToken.None);

        Assert.False(result.Passed);
        Assert.StartsWith($"GET {url}:", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HttpsSelfSignedInsecure_Passes()
    {
        await using var server = new HttpResponder(tls: true);
        // 10 s: a TLS handshake on a loaded 2-core machine took over 2 s (the test is about the verdict, not the time).
        using var probe = new HttpProbe(server.Url("/200"), 200, insecureSkipVerify: true, TimeSpan.FromSeconds(10));

        var result = await probe.RunAsync(CancellationToken.None);

        Assert.True(result.Passed, result.Detail);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task RunAsync_HttpsSelfSignedVerified_Fails()
    {
        await using var server = new HttpResponder(tls: true);
        using var probe = new HttpProbe(server.Url("/200"), 200, insecureSkipVerify: false, TimeSpan.FromSeconds(10));

        var result = await probe.RunAsync(CancellationToken.None);

        Assert.False(result.Passed);
        Assert.StartsWith("GET https://127.0.0.1:", result.Detail, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task Monitor_ServerHangs_TimesOut()
    {
        await using var server = new HttpResponder();
        var check = Checks.Make("web", Vipd.Core.Config.CheckType.Http, rise: 1, fall: 1, interval: TimeSpan.FromSeconds(30), timeout: TimeSpan.FromMilliseconds(200), url: server.Url("/hang"));
        using var monitor = new CheckMonitor([check], TimeProvider.System, new ListLogger());
        using var changed = new SemaphoreSlim(0);
        monitor.Changed += _ => changed.Release();

        monitor.Start();

        Assert.True(await changed.WaitAsync(TimeSpan.FromSeconds(3)), "no verdict");
        Assert.Equal(new CheckStatus("web", false, "timed out after 200 ms", null), monitor.Current["web"] with { Duration = default });
        Assert.True(monitor.Current["web"].Duration >= TimeSpan.FromMilliseconds(150), $"duration {monitor.Current["web"].Duration}");
    }

    [Fact]
    public async Task Monitor_Server200_PassesAfterRise()
    {
        await using var server = new HttpResponder();
        var check = Checks.Make("web", Vipd.Core.Config.CheckType.Http, rise: 2, interval: TimeSpan.FromMilliseconds(100), url: server.Url("/200"));
        using var monitor = new CheckMonitor([check], TimeProvider.System, new ListLogger());
        var flips = new List<bool>();
        using var changed = new SemaphoreSlim(0);
        monitor.Changed += status =>
        {
            lock (flips)
            {
                flips.Add(status.Passing);
            }

            changed.Release();
        };

        monitor.Start();

        Assert.True(await changed.WaitAsync(TimeSpan.FromSeconds(3)), "not known");
        Assert.True(await changed.WaitAsync(TimeSpan.FromSeconds(3)), "never passed");
        Assert.Equal([false, true], flips);
        Assert.True(server.Requests >= 2);
    }
}
