namespace Vipd.Core.Wire;

/// <summary><paramref name="From"/> declares <paramref name="Name"/> dead; <c>From == Name</c> means it left on purpose.</summary>
internal sealed record DeadMessage(uint Incarnation, string Name, string From) : WireMessage
{
    public override MessageType Type => MessageType.Dead;

    public bool IsLeave => string.Equals(Name, From, StringComparison.Ordinal);
}
