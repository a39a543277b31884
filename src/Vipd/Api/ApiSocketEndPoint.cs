using System.Net;
using System.Net.Sockets;

namespace Vipd.Api;

/// <summary>
/// The API's Unix socket as Kestrel sees it: a socket <see cref="ApiServer"/> has already bound and listens on. Only
/// <see cref="PreboundListenerFactory"/> binds this type (Kestrel's socket transport refuses it), so the path is
/// never bound twice, whatever order the transports are registered in.
/// </summary>
internal sealed class ApiSocketEndPoint(string path) : EndPoint
{
    public string Path { get; } = path;

    public override AddressFamily AddressFamily => AddressFamily.Unix;

    public override string ToString() => $"unix:{Path}";
}
