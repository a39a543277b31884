namespace Vipd.Core.Wire;

/// <summary>Asks <paramref name="Owner"/> (or anyone holding it) for its large metadata whose hash is <paramref name="Hash"/>.</summary>
internal sealed record MetadataRequestMessage(string Owner, ulong Hash) : WireMessage
{
    public override MessageType Type => MessageType.MetadataRequest;
}
