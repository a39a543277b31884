using Grpc.Core;

namespace Vipd.Tests.Api;

/// <summary>A ServerCallContext with nothing behind it: the service under test identifies callers through its IdentifyCaller hook.</summary>
internal sealed class FakeCallContext(CancellationToken cancellationToken = default) : ServerCallContext
{
    protected override string MethodCore => "/vipd.v1.VipdService/Test";
    protected override string HostCore => "localhost";
    protected override string PeerCore => "unix:";
    protected override DateTime DeadlineCore => DateTime.MaxValue;
    protected override Metadata RequestHeadersCore { get; } = [];
    protected override CancellationToken CancellationTokenCore => cancellationToken;
    protected override Metadata ResponseTrailersCore { get; } = [];
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
