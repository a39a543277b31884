using System.Net;
using Vipd.Core.Wire;

namespace Vipd.Core.Membership;

/// <summary>
/// User messages: opaque payloads of a layer above (the intent replication) sealed and sent like every gossip
/// datagram (with piggybacked broadcasts when room is left), and delivered to <see cref="UserMessageReceived"/>.
/// </summary>
public sealed partial class SwimMembership
{
    private List<(ReadOnlyMemory<byte> Payload, IPEndPoint From)> _userMessages = [];

    /// <summary>
    /// Raised for each user message received from a peer, outside the membership's lock, in arrival order. A handler
    /// may call <see cref="SendUserMessage"/>.
    /// </summary>
    public event Action<ReadOnlyMemory<byte>, IPEndPoint>? UserMessageReceived;

    /// <summary>Largest payload <see cref="SendUserMessage"/> takes: one sealed datagram.</summary>
    public int MaxUserMessageSize => _capacity - WireFormat.FrameHeaderSize;

    /// <summary>
    /// Seals <paramref name="payload"/> (1..<see cref="MaxUserMessageSize"/> bytes) into one datagram to the member
    /// whose known address is <paramref name="destination"/>, sealed for that member by name. Best effort, as all
    /// gossip: dropped silently before start, after leave, or when no member (other than this node) has that address —
    /// a user message never goes to a stranger.
    /// </summary>
    public void SendUserMessage(ReadOnlySpan<byte> payload, IPEndPoint destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (payload.IsEmpty || payload.Length > MaxUserMessageSize)
        {
            throw new ArgumentException($"A user message is 1 to {MaxUserMessageSize} bytes.", nameof(payload));
        }

        lock (_lock)
        {
            if (_disposed || _left || !_started)
            {
                return;
            }

            if (MemberAt(destination) is not { } member)
            {
                return;
            }

            Send(new UserMessage(payload.ToArray()), member);
        }

        Flush();
    }

    /// <summary>Delivered with the sender's known address (never the UDP source), so an answer goes to the member.</summary>
    private void HandleUserMessage(UserMessage message, string sender)
    {
        if (Peer(sender) is not { } peer)
        {
            Drop(DropReason.UnknownSender, _source);
            return;
        }

        _userMessages.Add((message.Payload, peer.Address));
    }

    private MemberRecord? MemberAt(IPEndPoint address)
    {
        foreach (var member in _members.Values)
        {
            if (member != _local && member.Address.Equals(address))
            {
                return member;
            }
        }

        return null;
    }

    private void RaiseUserMessages(List<(ReadOnlyMemory<byte> Payload, IPEndPoint From)> messages)
    {
        foreach (var (payload, from) in messages)
        {
            try
            {
                UserMessageReceived?.Invoke(payload, from);
            }
            catch (Exception ex)
            {
                _logger.HandlerFailed(from.ToString(), ex);
            }
        }
    }
}
