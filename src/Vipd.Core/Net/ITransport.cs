using System.Net;

namespace Vipd.Core.Net;

/// <summary>Sends datagrams to peers. The daemon's implementation is UDP; tests use an in-memory network.</summary>
public interface ITransport
{
    /// <summary>Queues one datagram; never blocks, never throws for loss. The span is copied.</summary>
    void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination);
}
