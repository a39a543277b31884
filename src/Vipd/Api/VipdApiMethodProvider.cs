using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Vipd.Api.V1;

namespace Vipd.Api;

/// <summary>
/// Binds <c>vipd.v1.VipdService</c>'s methods as the generated code does, but with a request marshaller that turns a
/// request that does not parse into INVALID_ARGUMENT. With the generated binding a malformed request escaped as an
/// unhandled exception: the caller got UNKNOWN and the log an error with a stack trace per call
/// (<c>ApiFuzzLabTests</c> found it). An error's detail is cut to <see cref="MaxDetail"/> characters: it echoes the
/// caller's input, and a long one made a response header the client could not read (UNAVAILABLE instead of the error).
/// </summary>
internal sealed class VipdApiMethodProvider : IServiceMethodProvider<VipdApiEndpoint>
{
    /// <summary>The longest error detail sent (grpc-message is a header; clients cap headers at 64 KiB or less).</summary>
    public const int MaxDetail = 1024;

    private readonly VipdApiService _service;

    public VipdApiMethodProvider(VipdApiService service)
    {
        _service = service;
    }

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<VipdApiEndpoint> context) =>
        VipdService.BindService(new Binder(context), _service);

    /// <summary>The request marshaller of <paramref name="method"/>, with parse failures as INVALID_ARGUMENT.</summary>
    private static Method<TRequest, TResponse> Safe<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class
        where TResponse : class
    {
        var inner = method.RequestMarshaller;
        var marshaller = new Marshaller<TRequest>(inner.ContextualSerializer, context =>
        {
            try
            {
                return inner.ContextualDeserializer(context);
            }
            catch (Google.Protobuf.InvalidProtocolBufferException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"the request is not a valid {typeof(TRequest).Name}: {e.Message}"));
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, marshaller, method.ResponseMarshaller);
    }

    /// <summary>An error whose detail is cut to <see cref="MaxDetail"/> characters, or the error itself.</summary>
    private static RpcException Bounded(RpcException e) =>
        e.Status.Detail.Length <= MaxDetail
            ? e
            : new RpcException(new Status(e.StatusCode, string.Concat(e.Status.Detail.AsSpan(0, MaxDetail), $"... ({e.Status.Detail.Length - MaxDetail} more characters)")), e.Trailers);

    private static async Task<TResponse> UnaryAsync<TRequest, TResponse>(UnaryServerMethod<TRequest, TResponse> handler, TRequest request, ServerCallContext call)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            return await handler(request, call).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.Status.Detail.Length > MaxDetail)
        {
            throw Bounded(e);
        }
    }

    private static async Task StreamingAsync<TRequest, TResponse>(ServerStreamingServerMethod<TRequest, TResponse> handler, TRequest request, IServerStreamWriter<TResponse> stream, ServerCallContext call)
        where TRequest : class
        where TResponse : class
    {
        try
        {
            await handler(request, stream, call).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.Status.Detail.Length > MaxDetail)
        {
            throw Bounded(e);
        }
    }

    private sealed class Binder(ServiceMethodProviderContext<VipdApiEndpoint> context) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            context.AddUnaryMethod(Safe(method), [], (_, request, call) => UnaryAsync(handler!, request, call));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(Safe(method), [], (_, request, stream, call) => StreamingAsync(handler!, request, stream, call));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddClientStreamingMethod(Safe(method), [], (_, stream, call) => handler!(stream, call));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddDuplexStreamingMethod(Safe(method), [], (_, input, output, call) => handler!(input, output, call));
    }
}
