using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vipctl.Tests;

/// <summary>Kestrel serving a <see cref="FakeVipd"/> on a Unix socket in a fresh temp folder (no network).</summary>
public sealed class FakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeServer(WebApplication app, string folder, FakeVipd service)
    {
        _app = app;
        Folder = folder;
        Service = service;
    }

    public string Folder { get; }

    public string SocketPath => Path.Combine(Folder, "vipd.sock");

    public FakeVipd Service { get; }

    public static async Task<FakeServer> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("vipctl-test-").FullName;
        var service = new FakeVipd();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(Path.Combine(folder, "vipd.sock"), l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<FakeVipd>();
        await app.StartAsync();
        return new FakeServer(app, folder, service);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
