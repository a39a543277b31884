namespace Vipd.Api;

/// <summary>
/// The routing type of <c>vipd.v1.VipdService</c> (<c>MapGrpcService&lt;VipdApiEndpoint&gt;</c>): it has no generated
/// bind attribute, so Grpc.AspNetCore binds nothing by itself and <see cref="VipdApiMethodProvider"/> binds every
/// method to <see cref="VipdApiService"/> with request parsing that answers INVALID_ARGUMENT.
/// </summary>
internal sealed class VipdApiEndpoint
{
}
