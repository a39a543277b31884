using Vipd.Core.Wire;

namespace Vipd.Core.Membership;

/// <summary>
/// Large metadata: a body above <see cref="WireFormat.MaxMetadataBytes"/> is gossiped as a
/// <see cref="MetadataReference"/> (alive, push/pull) and travels in <see cref="MetadataFragmentMessage"/>s: pushed to
/// every live member when it changes, and sent again to a member that asks (<see cref="MetadataRequestMessage"/>) for
/// a reference it has not resolved, retried every <see cref="FetchRetry"/> while the member lives. Members seen by the
/// layers above (<see cref="Member.Metadata"/>) carry the last whole body whose hash matched; reassembly is bounded
/// per body (<see cref="WireFormat.MaxLargeMetadataBytes"/>) and in all (<see cref="MaxFetchBytes"/>).
/// </summary>
public sealed partial class SwimMembership
{
    /// <summary>All bodies being reassembled at once, in bytes: 64 full-size records.</summary>
    private const int MaxFetchBytes = 64 * WireFormat.MaxLargeMetadataBytes;

    private static readonly TimeSpan FetchRetry = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Fragments sent for one push or request: below the receiver's 64-datagram replay window, so a burst reordered on
    /// the way is not taken for a replay; the asker asks again from the first byte it misses.
    /// </summary>
    private const int MaxFragmentsPerSend = 48;

    private ulong _localHash;
    private int _fetchBytes;

    /// <summary>Sets this node's metadata: inline when it fits, else a reference plus the body to push.</summary>
    private void SetLocalMetadata(ReadOnlyMemory<byte> body)
    {
        var copy = body.ToArray();
        _local.Resolved = copy;
        if (MetadataReference.IsNeededFor(copy))
        {
            _local.Metadata = MetadataReference.Create(copy, out _localHash);
            _local.ResolvedHash = _localHash;
        }
        else
        {
            _local.Metadata = copy;
            _local.ResolvedHash = 0;
            _localHash = 0;
        }
    }

    /// <summary>Pushes this node's large metadata (if it has one) to every live member.</summary>
    private void PushLocalMetadataToAll()
    {
        if (_localHash == 0 || !_started)
        {
            return;
        }

        foreach (var member in _members.Values)
        {
            if (member != _local && member.IsLive)
            {
                SendLocalMetadata(member);
            }
        }
    }

    private void SendLocalMetadata(MemberRecord destination, int from = 0)
    {
        var body = _local.Resolved;
        var chunk = _capacity - WireFormat.FrameHeaderSize - SpanWriter.NameSize(_name) - 16;
        var first = from / chunk * chunk;
        for (var (offset, sent) = (first, 0); offset < body.Length && sent < MaxFragmentsPerSend; offset += chunk, sent++)
        {
            var length = Math.Min(chunk, body.Length - offset);
            Send(new MetadataFragmentMessage(_name, _localHash, body.Length, offset, body.Slice(offset, length)), destination, piggyback: false);
        }
    }

    /// <summary>After <paramref name="record"/>'s gossiped metadata changed: resolve it, or start fetching its body.</summary>
    private void ResolveInline(MemberRecord record)
    {
        if (!MetadataReference.TryRead(record.Metadata.Span, out var length, out var hash))
        {
            record.Resolved = record.Metadata;
            record.ResolvedHash = 0;
            ForgetFetch(record);
            return;
        }

        if (record.ResolvedHash == hash)
        {
            ForgetFetch(record);
            return;
        }

        if (record.Early is { } early && early.Hash == hash)
        {
            Resolve(record, hash, early.Body);
            return;
        }

        if (record.Fetch is null || record.Fetch.Hash != hash)
        {
            ForgetFetch(record);
            record.Fetch = new MetadataFetch(hash, length);
        }

        RequestMetadata(record);
    }

    private void RequestMetadata(MemberRecord record)
    {
        if (record.Fetch is not { } fetch || !_started)
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (fetch.LastRequest != 0 && _time.GetElapsedTime(fetch.LastRequest, now) < FetchRetry)
        {
            return;
        }

        fetch.LastRequest = now;
        Send(new MetadataRequestMessage(record.Name, fetch.Hash, fetch.FirstMissing), record);
    }

    /// <summary>From the gossip tick: ask again for bodies still missing; forget fetches of members no longer live.</summary>
    private void RetryFetches()
    {
        foreach (var record in _members.Values)
        {
            if (record.Fetch is null)
            {
                continue;
            }

            if (!record.IsLive)
            {
                ForgetFetch(record);
                continue;
            }

            RequestMetadata(record);
        }
    }

    private void HandleMetadataRequest(MetadataRequestMessage request, string sender)
    {
        // Only this node's own current body, and only to the asking member's known address: no reflection at a stranger.
        if (request.Owner != _name || request.Hash != _localHash || _localHash == 0)
        {
            return;
        }

        if (Peer(sender) is { } member)
        {
            SendLocalMetadata(member, request.From);
            return;
        }

        Drop(DropReason.BadMetadata, _source);
    }

    private void HandleMetadataFragment(MetadataFragmentMessage fragment)
    {
        var from = _source;
        if (fragment.Owner == _name || !_members.TryGetValue(fragment.Owner, out var record) || !record.IsLive)
        {
            Drop(DropReason.BadMetadata, from);
            return;
        }

        if (record.ResolvedHash == fragment.Hash || record.Early?.Hash == fragment.Hash)
        {
            return; // a resend of what this node has already
        }

        if (record.Fetch is null || record.Fetch.Hash != fragment.Hash)
        {
            // Fragments pushed on a change can overtake the gossip that names them: start on them at once.
            ForgetFetch(record);
            record.Fetch = new MetadataFetch(fragment.Hash, fragment.Total);
        }

        var fetch = record.Fetch;
        if (fetch.Length != fragment.Total)
        {
            Drop(DropReason.BadMetadata, from);
            return;
        }

        if (fetch.Buffer is null)
        {
            if (_fetchBytes + fetch.Length > MaxFetchBytes)
            {
                Drop(DropReason.BadMetadata, from);
                return;
            }

            fetch.Buffer = new byte[fetch.Length];
            _fetchBytes += fetch.Length;
        }

        if (!fetch.Add(fragment.Offset, fragment.Chunk.Span) || !fetch.IsComplete)
        {
            return;
        }

        var body = fetch.Buffer!;
        ForgetFetch(record);
        if (MetadataReference.Hash(body) != fragment.Hash)
        {
            Drop(DropReason.BadMetadata, from);
            return;
        }

        if (MetadataReference.TryRead(record.Metadata.Span, out _, out var current) && current == fragment.Hash)
        {
            Resolve(record, fragment.Hash, body);
        }
        else
        {
            record.Early = (fragment.Hash, body);
        }
    }

    private void Resolve(MemberRecord record, ulong hash, byte[] body)
    {
        ForgetFetch(record);
        record.Early = null;
        record.Resolved = body;
        record.ResolvedHash = hash;
        RaiseChanged(record);
    }

    private void ForgetFetch(MemberRecord record)
    {
        if (record.Fetch?.Buffer is { } buffer)
        {
            _fetchBytes -= buffer.Length;
        }

        record.Fetch = null;
    }
}
