using System.Net;
using Vipd.Checks;
using Vipd.Core.Checks;
using Vipd.Core.Config;

namespace Vipd.Tests.Checks;

/// <summary>The public constructor wires each type to its probe.</summary>
public sealed class CheckProbesTests
{
    [Theory]
    [InlineData(CheckType.Exec, typeof(ExecProbe))]
    [InlineData(CheckType.Tcp, typeof(TcpProbe))]
    [InlineData(CheckType.Http, typeof(HttpProbe))]
    [InlineData(CheckType.Https, typeof(HttpProbe))]
    [InlineData(CheckType.Interface, typeof(InterfaceProbe))]
    [InlineData(CheckType.File, typeof(FileProbe))]
    public void Create_EachType_ItsProbe(CheckType type, Type probeType)
    {
        var check = Checks.Make(
            "c",
            type,
            target: new IPEndPoint(IPAddress.Loopback, 9),
            url: new Uri(type == CheckType.Https ? "https://127.0.0.1/" : "http://127.0.0.1/"),
            @interface: "lo",
            path: "/nonexistent");

        using var probe = CheckProbes.Create(check, TimeProvider.System, null);

        Assert.IsType(probeType, probe);
    }

    [Fact]
    public void Create_TcpWithoutTarget_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => CheckProbes.Create(Checks.Make("c", CheckType.Tcp), TimeProvider.System, null));
        Assert.Contains("check c: address is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_FileAndInterface_RealProbes()
    {
        var dir = Directory.CreateTempSubdirectory("vipd-check-").FullName;
        try
        {
            var path = Path.Combine(dir, "prio");
            await File.WriteAllTextAsync(path, "25\n");
            var asked = new List<string>();
            using var monitor = new CheckMonitor(
                // A 5 s timeout: the 1 s default timed out once on a loaded CI machine (a read of a 3-byte file).
                [Checks.Make("file", CheckType.File, rise: 1, interval: TimeSpan.FromSeconds(10), timeout: TimeSpan.FromSeconds(5), path: path), Checks.Make("link", CheckType.Interface, rise: 1, @interface: "eth9")],
                TimeProvider.System,
                new ListLogger(),
                name =>
                {
                    lock (asked)
                    {
                        asked.Add(name);
                    }

                    return false;
                });

            using var changed = new SemaphoreSlim(0);
            monitor.Changed += _ => changed.Release();

            monitor.Start();

            Assert.True(await changed.WaitAsync(TimeSpan.FromSeconds(8)) && await changed.WaitAsync(TimeSpan.FromSeconds(8)), "not both known");
            Assert.Equal(new CheckStatus("file", true, $"{path}: 25", 25), monitor.Current["file"] with { Duration = default });
            Assert.Equal(new CheckStatus("link", false, "eth9 is down or missing", null), monitor.Current["link"] with { Duration = default });
            Assert.Equal(["eth9"], asked);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
