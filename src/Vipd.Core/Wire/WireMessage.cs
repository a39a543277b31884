namespace Vipd.Core.Wire;

/// <summary>One decoded message of a datagram. A datagram carries one or more (a compound for piggybacking).</summary>
internal abstract record WireMessage
{
    public abstract MessageType Type { get; }
}
