using System.Diagnostics;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vipd.Api.V1;

namespace Vipd.Kubernetes.Tests.Fakes;

/// <summary>
/// A fake vipd: the real generated <c>VipdService</c> server on Kestrel, on a Unix socket in a temp folder. Keeps the
/// dynamic VIP set per source as ApplyVips(replace) leaves it, and every call with its time.
/// </summary>
internal sealed class FakeVipd : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<DynamicVip>> _sets = [];
    private readonly List<(long Timestamp, List<DynamicVip> Vips)> _calls = [];
    private WebApplication? _app;

    public FakeVipd(string socketPath) => SocketPath = socketPath;

    public string SocketPath { get; }

    public int Calls
    {
        get
        {
            lock (_lock)
            {
                return _calls.Count;
            }
        }
    }

    /// <summary>The set of source "kubernetes", sorted by name.</summary>
    public List<DynamicVip> Current
    {
        get
        {
            lock (_lock)
            {
                return _sets.TryGetValue("kubernetes", out var set) ? [.. set.OrderBy(v => v.Name, StringComparer.Ordinal)] : [];
            }
        }
    }

    /// <summary>Timestamps (Stopwatch) of the calls whose set satisfied <paramref name="predicate"/>.</summary>
    public long? FirstCallWhere(Func<List<DynamicVip>, bool> predicate, long after)
    {
        lock (_lock)
        {
            foreach (var (t, vips) in _calls)
            {
                if (t > after && predicate(vips))
                {
                    return t;
                }
            }

            return null;
        }
    }

    /// <summary>Sets the source's set as if some node's vipd-k8s had applied it (vipd's gossip brought it here).</summary>
    public void Seed(string source, IEnumerable<DynamicVip> vips)
    {
        lock (_lock)
        {
            _sets[source] = [.. vips.Select(v => v.Clone())];
        }
    }

    public async Task StartAsync()
    {
        File.Delete(SocketPath);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(SocketPath, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(this);
        var app = builder.Build();
        app.MapGrpcService<Service>();
        await app.StartAsync();
        _app = app;
    }

    /// <summary>A vipd restart: the server goes away and comes back with nothing from this source.</summary>
    public async Task StopAsync(bool forget)
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }

        if (forget)
        {
            lock (_lock)
            {
                _sets.Clear();
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(forget: false);

    private ApplyVipsResponse Apply(ApplyVipsRequest request)
    {
        lock (_lock)
        {
            var vips = request.Vips.Select(v => v.Clone()).ToList();
            _calls.Add((Stopwatch.GetTimestamp(), vips));
            var old = _sets.GetValueOrDefault(request.Source) ?? [];
            var response = new ApplyVipsResponse();
            foreach (var vip in vips)
            {
                var before = old.FirstOrDefault(o => o.Name == vip.Name);
                (before is null ? response.Added : before.Equals(vip) ? response.Unchanged : response.Changed).Add(vip.Name);
            }

            response.Removed.AddRange(old.Where(o => vips.All(v => v.Name != o.Name)).Select(o => o.Name));
            _sets[request.Source] = request.Replace ? vips : [.. old.Where(o => vips.All(v => v.Name != o.Name)), .. vips];
            response.Version = (ulong)_calls.Count;
            return response;
        }
    }

    private sealed class Service(FakeVipd owner) : VipdService.VipdServiceBase
    {
        public override Task<ApplyVipsResponse> ApplyVips(ApplyVipsRequest request, ServerCallContext context) =>
            Task.FromResult(owner.Apply(request));
    }
}
