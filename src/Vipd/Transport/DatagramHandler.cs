using System.Net;

namespace Vipd.Transport;

/// <summary>Handles one received datagram; the span is valid only during the call.</summary>
internal delegate void DatagramHandler(ReadOnlySpan<byte> datagram, IPEndPoint from);
