namespace Vipd.Core.Wire;

/// <summary><paramref name="From"/> suspects <paramref name="Name"/> at an incarnation.</summary>
internal sealed record SuspectMessage(uint Incarnation, string Name, string From) : WireMessage
{
    public override MessageType Type => MessageType.Suspect;
}
