namespace Vipd.Core.Wire;

/// <summary>
/// Asks <paramref name="Owner"/> for its large metadata whose hash is <paramref name="Hash"/>, from byte
/// <paramref name="From"/> on (the first byte the asker is missing).
/// </summary>
internal sealed record MetadataRequestMessage(string Owner, ulong Hash, int From = 0) : WireMessage
{
    public override MessageType Type => MessageType.MetadataRequest;
}
