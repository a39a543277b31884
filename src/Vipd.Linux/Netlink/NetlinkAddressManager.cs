using System.Net;
using Vipd.Core.Reconcile;
using Vipd.Linux.Native;
using static Vipd.Linux.Native.RtnetlinkConstants;

namespace Vipd.Linux.Netlink;

/// <summary>
/// <see cref="IAddressManager"/> over rtnetlink, for the network namespace of the thread that constructs it.
/// Thread-safe: one socket, one lock around each request/reply exchange.
/// </summary>
public sealed class NetlinkAddressManager : IAddressManager, IDisposable
{
    /// <summary>Requests per datagram in <see cref="Apply"/>: keeps error replies well inside the receive buffer.</summary>
    public const int BatchSize = 100;

    private const int DumpAttempts = 3;

    private readonly NetlinkSocket _socket;

    /// <summary>Opens an rtnetlink socket in the calling thread's network namespace.</summary>
    public NetlinkAddressManager()
    {
        _socket = NetlinkSocket.Open();
    }

    public LinkInfo? FindLink(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length >= IfConstants.IFNAMSIZ)
        {
            return null;
        }

        return GetLink(0, name, $"find interface {name}");
    }

    public IReadOnlyList<LinkInfo> ListLinks()
    {
        return Dump(RTM_GETLINK, "list interfaces", (List<LinkInfo> links, NetlinkMessage message) =>
        {
            if (message.Type == RTM_NEWLINK && RtnetlinkParser.TryParseLink(message.Payload, out var link))
            {
                links.Add(link!);
            }
        });
    }

    public IReadOnlyList<InterfaceAddress> ListAddresses()
    {
        return Dump(RTM_GETADDR, "list addresses", (List<InterfaceAddress> addresses, NetlinkMessage message) =>
        {
            if (message.Type == RTM_NEWADDR && RtnetlinkParser.TryParseAddress(message.Payload, out var address))
            {
                addresses.Add(address);
            }
        });
    }

    public bool Add(int interfaceIndex, IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        return ApplyOne(new AddressChange(AddressChangeKind.Add, interfaceIndex, address, prefixLength));
    }

    public bool Remove(int interfaceIndex, IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        return ApplyOne(new AddressChange(AddressChangeKind.Remove, interfaceIndex, address, prefixLength));
    }

    public IReadOnlyList<AddressChangeResult> Apply(IReadOnlyList<AddressChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var results = new AddressChangeResult[changes.Count];
        var acks = new NetlinkAck[BatchSize];
        var buffer = new byte[BatchSize * NetlinkMessageWriter.MaxAddressMessageSize];
        for (var start = 0; start < changes.Count; start += BatchSize)
        {
            var count = Math.Min(BatchSize, changes.Count - start);
            ApplyBatch(changes, start, count, buffer, acks.AsSpan(0, count), results);
        }

        return results;
    }

    public bool AddHold(AddressHold hold) => ChangeHold(hold, add: true);

    public bool RemoveHold(AddressHold hold) => ChangeHold(hold, add: false);

    /// <summary>One dump of every routing table (the kernel filters a dump by table only under strict checking), kept to vipd's holds.</summary>
    public IReadOnlyList<AddressHold> ListHolds()
    {
        return Dump(RTM_GETROUTE, "list routes", (List<AddressHold> holds, NetlinkMessage message) =>
        {
            if (message.Type == RTM_NEWROUTE && RtnetlinkParser.TryParseHold(message.Payload, out var hold))
            {
                holds.Add(hold);
            }
        });
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>Adds or removes a hold: EEXIST on add and ESRCH on remove are "already so" (false).</summary>
    private bool ChangeHold(AddressHold hold, bool add)
    {
        ArgumentNullException.ThrowIfNull(hold.Address);
        if (hold.Address.AddressFamily is not (System.Net.Sockets.AddressFamily.InterNetwork or System.Net.Sockets.AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"unsupported address {hold.Address}", nameof(hold));
        }

        Span<byte> buffer = stackalloc byte[NetlinkMessageWriter.MaxAddressMessageSize];
        var writer = new NetlinkMessageWriter(buffer);
        var sequence = _socket.NextSequence();
        RtnetlinkRequests.WriteHoldChange(ref writer, hold, add, sequence);
        var operation = $"{(add ? "add" : "remove")} the hold of {hold.Address}";
        var ack = _socket.Exchange(writer.Written, sequence, operation, null);
        return ack.Errno switch
        {
            0 => true,
            Errno.EEXIST when add => false,
            Errno.ESRCH when !add => false,
            _ => throw new KernelException(ack.Errno, operation, InterfaceName(hold.InterfaceIndex), ack.Message),
        };
    }

    /// <summary>"add address 192.0.2.200/24" or "remove address …".</summary>
    internal static string Describe(AddressChange change) =>
        $"{(change.Kind == AddressChangeKind.Add ? "add" : "remove")} address {change.Address}/{change.PrefixLength}";

    /// <summary>Maps one kernel answer to an outcome: EEXIST on add and EADDRNOTAVAIL on remove are "already so".</summary>
    internal static AddressOutcome OutcomeOf(AddressChangeKind kind, int errno) => errno switch
    {
        0 => AddressOutcome.Applied,
        Errno.EEXIST when kind == AddressChangeKind.Add => AddressOutcome.AlreadyDone,
        Errno.EADDRNOTAVAIL when kind == AddressChangeKind.Remove => AddressOutcome.AlreadyDone,
        _ => AddressOutcome.Failed,
    };

    /// <summary>The result's error text: errno name and the kernel's text, such as "EEXIST: ipv4: Address already assigned".</summary>
    internal static string? ErrorText(NetlinkAck ack) => ack.Errno == 0
        ? null
        : $"{KernelException.NameOf(ack.Errno)}: {ack.Message ?? System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(ack.Errno)}";

    private bool ApplyOne(AddressChange change)
    {
        if (Validate(change) is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(change));
        }

        Span<byte> buffer = stackalloc byte[NetlinkMessageWriter.MaxAddressMessageSize];
        var writer = new NetlinkMessageWriter(buffer);
        var sequence = _socket.NextSequence();
        RtnetlinkRequests.WriteAddressChange(ref writer, change, sequence, ack: true);
        var operation = Describe(change);
        var ack = _socket.Exchange(writer.Written, sequence, operation, null);
        return OutcomeOf(change.Kind, ack.Errno) switch
        {
            AddressOutcome.Applied => true,
            AddressOutcome.AlreadyDone => false,
            _ => throw new KernelException(ack.Errno, operation, InterfaceName(change.InterfaceIndex), ack.Message),
        };
    }

    private void ApplyBatch(
        IReadOnlyList<AddressChange> changes, int start, int count, byte[] buffer, Span<NetlinkAck> acks, AddressChangeResult[] results)
    {
        // Invalid changes (family, prefix length) fail here and are not sent.
        Span<int> sent = stackalloc int[count];
        var valid = 0;
        for (var i = 0; i < count; i++)
        {
            var change = changes[start + i];
            var error = Validate(change);
            if (error is null)
            {
                sent[valid++] = start + i;
            }
            else
            {
                results[start + i] = new AddressChangeResult(change, AddressOutcome.Failed, $"EINVAL: {error}");
            }
        }

        if (valid == 0)
        {
            return;
        }

        var writer = new NetlinkMessageWriter(buffer);
        var first = _socket.ReserveSequences(valid);
        for (var i = 0; i < valid; i++)
        {
            RtnetlinkRequests.WriteAddressChange(ref writer, changes[sent[i]], first + (uint)i, ack: i == valid - 1);
        }

        var rc = _socket.ExchangeBatch(writer.Written, first, acks[..valid]);
        for (var i = 0; i < valid; i++)
        {
            var change = changes[sent[i]];
            var ack = acks[i];
            results[sent[i]] = ack.Errno == -1
                ? new AddressChangeResult(change, AddressOutcome.Failed, $"{KernelException.NameOf(-rc)}: netlink exchange failed, outcome unknown")
                : new AddressChangeResult(change, OutcomeOf(change.Kind, ack.Errno), ErrorText(ack));
        }
    }

    /// <summary>Why a change cannot be sent, or null.</summary>
    internal static string? Validate(AddressChange change)
    {
        var max = change.Address?.AddressFamily switch
        {
            System.Net.Sockets.AddressFamily.InterNetwork => 32,
            System.Net.Sockets.AddressFamily.InterNetworkV6 => 128,
            _ => -1,
        };
        if (max < 0)
        {
            return $"unsupported address {change.Address}";
        }

        if (change.PrefixLength < 0 || change.PrefixLength > max)
        {
            return $"prefix length {change.PrefixLength} out of range for {change.Address}";
        }

        return change.Kind is AddressChangeKind.Add or AddressChangeKind.Remove ? null : $"unknown change kind {change.Kind}";
    }

    private List<T> Dump<T>(ushort type, string operation, Action<List<T>, NetlinkMessage> collect)
    {
        Span<byte> request = stackalloc byte[64];
        for (var attempt = 1; ; attempt++)
        {
            var items = new List<T>();
            var interrupted = false;
            var writer = new NetlinkMessageWriter(request);
            var sequence = _socket.NextSequence();
            RtnetlinkRequests.WriteDump(ref writer, type, 0, sequence);
            var ack = _socket.Exchange(writer.Written, sequence, operation, message =>
            {
                interrupted |= (message.Flags & Native.NetlinkConstants.NLM_F_DUMP_INTR) != 0;
                collect(items, message);
            });
            if (ack.Errno != 0)
            {
                throw new KernelException(ack.Errno, operation, null, ack.Message);
            }

            // NLM_F_DUMP_INTR: the set changed during the dump, which may then be inconsistent. Dump again.
            if (!interrupted || attempt == DumpAttempts)
            {
                return items;
            }
        }
    }

    private LinkInfo? GetLink(int index, string? name, string operation)
    {
        Span<byte> request = stackalloc byte[64];
        var writer = new NetlinkMessageWriter(request);
        var sequence = _socket.NextSequence();
        RtnetlinkRequests.WriteGetLink(ref writer, index, name, sequence);
        LinkInfo? found = null;
        var ack = _socket.Exchange(writer.Written, sequence, operation, message =>
        {
            if (message.Type == RTM_NEWLINK && RtnetlinkParser.TryParseLink(message.Payload, out var link))
            {
                found = link;
            }
        });
        return ack.Errno switch
        {
            0 => found,
            Errno.ENODEV => null,
            _ => throw new KernelException(ack.Errno, operation, name, ack.Message),
        };
    }

    /// <summary>The interface's name for an error message (through this socket's namespace), or "ifindex N".</summary>
    private string InterfaceName(int index)
    {
        try
        {
            return GetLink(index, null, $"find interface {index}")?.Name ?? $"ifindex {index}";
        }
        catch (KernelException)
        {
            return $"ifindex {index}";
        }
    }
}
