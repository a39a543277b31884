using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Vipd.Core.Checks;
using Vipd.Core.Config;

namespace Vipd.Core.Election;

/// <summary>
/// What a node's standing (eligibility and priority) for every VIP is derived from, besides the node's own verdicts:
/// the VIP set with each VIP's interface, checks and priorities, and the checks' weights. Built from the config and
/// the replicated intents (one immutable instance per change). A node derives its own standing with it, and every
/// peer whose model has the same <see cref="Digest"/> derives that node's standing for every VIP from the verdicts in
/// its lean record (<see cref="NodeRecord.Verdicts"/>) with the same function, <see cref="Eligibility.Evaluate"/>.
/// </summary>
public sealed class StandingModel
{
    private readonly VipConfig[] _vips;
    private readonly Dictionary<string, int> _indexByName;
    private readonly IReadOnlyDictionary<string, CheckConfig> _checks;
    private readonly Dictionary<uint, string> _checkByKey = [];
    private readonly Dictionary<uint, string> _linkByKey = [];
    private readonly string[] _interfaces;

    private StandingModel(VipConfig[] vips, IReadOnlyDictionary<string, CheckConfig> checks)
    {
        _vips = vips;
        _checks = checks;
        _indexByName = new Dictionary<string, int>(vips.Length, StringComparer.Ordinal);
        for (var i = 0; i < vips.Length; i++)
        {
            _indexByName[vips[i].Name] = i;
        }

        var collision = false;
        foreach (var name in checks.Keys.Concat(vips.SelectMany(v => v.Checks)).Distinct(StringComparer.Ordinal))
        {
            collision |= !_checkByKey.TryAdd(NameKey(name), name) && _checkByKey[NameKey(name)] != name;
        }

        _interfaces = [.. vips.Select(v => v.Interface).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        foreach (var name in _interfaces)
        {
            collision |= !_linkByKey.TryAdd(NameKey(name), name);
        }

        NodeDependent = vips.Any(v => !v.Priorities.IsEmpty);
        HasBgp = vips.Any(v => v.Mode == VipMode.Bgp);
        Digest = collision ? 0 : ComputeDigest(vips, checks);
    }

    /// <summary>An empty model (no VIPs).</summary>
    public static StandingModel Empty { get; } = new([], new Dictionary<string, CheckConfig>(StringComparer.Ordinal));

    /// <summary>
    /// The first 8 bytes of SHA-256 over everything the derivation reads (never 0 for a usable model): equal digests
    /// mean equal derivations. 0 when the model cannot be gossiped (two check or interface names share a
    /// <see cref="NameKey"/>): then records must list every VIP explicitly.
    /// </summary>
    public ulong Digest { get; }

    /// <summary>The VIPs, in the order of <see cref="Derive"/>'s result.</summary>
    public IReadOnlyList<VipConfig> Vips => _vips;

    /// <summary>True when some VIP has a per-node priority table (then a standing depends on the node's name).</summary>
    public bool NodeDependent { get; }

    /// <summary>The key of the IPv4 sessions' verdict (<see cref="NodeVerdictKind.Bgp"/>).</summary>
    public const uint BgpIPv4Key = 4;

    /// <summary>The key of the IPv6 sessions' verdict (<see cref="NodeVerdictKind.Bgp"/>).</summary>
    public const uint BgpIPv6Key = 6;

    /// <summary>True when some VIP is a BGP VIP (then the node's <see cref="BgpSessions"/> are verdicts).</summary>
    public bool HasBgp { get; }

    /// <summary>The position of <paramref name="vip"/> in <see cref="Vips"/>.</summary>
    public bool TryIndexOf(string vip, out int index) => _indexByName.TryGetValue(vip, out index);

    /// <summary>The 32-bit key of a check or interface name in verdicts: the first 4 bytes of SHA-256 of its UTF-8 bytes.</summary>
    public static uint NameKey(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    /// <summary>Builds the model of <paramref name="vips"/> with the checks' definitions <paramref name="checks"/>.</summary>
    public static StandingModel Build(IEnumerable<VipConfig> vips, IReadOnlyDictionary<string, CheckConfig> checks)
    {
        ArgumentNullException.ThrowIfNull(vips);
        ArgumentNullException.ThrowIfNull(checks);
        return new StandingModel([.. vips], checks);
    }

    /// <summary>
    /// The verdicts a node publishes: every check the model knows, every interface its VIPs use and, when it has a BGP
    /// VIP, the node's BGP sessions.
    /// </summary>
    public NodeVerdict[] VerdictsOf(IReadOnlyDictionary<string, CheckStatus> checks, Func<string, LinkState> link, BgpSessions bgp)
    {
        ArgumentNullException.ThrowIfNull(checks);
        ArgumentNullException.ThrowIfNull(link);
        var verdicts = new List<NodeVerdict>(_checkByKey.Count + _linkByKey.Count);
        foreach (var (key, name) in _checkByKey)
        {
            var state = !checks.TryGetValue(name, out var status) ? NodeVerdict.CheckNotRun
                : !status.Passing ? NodeVerdict.CheckFailing
                : status.FileValue is null ? NodeVerdict.CheckPassing : NodeVerdict.CheckPassingWithValue;
            verdicts.Add(new NodeVerdict(NodeVerdictKind.Check, key, state, state == NodeVerdict.CheckPassingWithValue ? status!.FileValue!.Value : 0));
        }

        foreach (var (key, name) in _linkByKey)
        {
            verdicts.Add(new NodeVerdict(NodeVerdictKind.Link, key, (byte)link(name), 0));
        }

        if (HasBgp)
        {
            verdicts.Add(new NodeVerdict(NodeVerdictKind.Bgp, BgpIPv4Key, (byte)bgp.IPv4, 0));
            verdicts.Add(new NodeVerdict(NodeVerdictKind.Bgp, BgpIPv6Key, (byte)bgp.IPv6, 0));
        }

        verdicts.Sort(static (a, b) => a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : a.Key.CompareTo(b.Key));
        return [.. verdicts];
    }

    /// <summary>
    /// <paramref name="node"/>'s standing for every VIP of the model (in <see cref="Vips"/> order) from its verdicts:
    /// <see cref="Eligibility.Evaluate"/> for each.
    /// </summary>
    public LocalStanding[] Derive(string node, IReadOnlyList<NodeVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(verdicts);
        var statuses = new Dictionary<string, CheckStatus>(StringComparer.Ordinal);
        var links = new Dictionary<string, LinkState>(StringComparer.Ordinal);
        var bgp = BgpSessions.Unknown;
        foreach (var verdict in verdicts)
        {
            if (verdict.Kind == NodeVerdictKind.Check && _checkByKey.TryGetValue(verdict.Key, out var check))
            {
                switch (verdict.State)
                {
                    case NodeVerdict.CheckFailing:
                        statuses[check] = new CheckStatus(check, false, "failing on " + node, null);
                        break;
                    case NodeVerdict.CheckPassing:
                        statuses[check] = new CheckStatus(check, true, string.Empty, null);
                        break;
                    case NodeVerdict.CheckPassingWithValue:
                        statuses[check] = new CheckStatus(check, true, string.Empty, verdict.Value);
                        break;
                    default:
                        break; // not run (or a state this build does not know): as if absent
                }
            }
            else if (verdict.Kind == NodeVerdictKind.Link && _linkByKey.TryGetValue(verdict.Key, out var link) && verdict.State <= (byte)LinkState.Up)
            {
                links[link] = (LinkState)verdict.State;
            }
            else if (verdict.Kind == NodeVerdictKind.Bgp && verdict.State <= (byte)BgpSessionState.Established)
            {
                bgp = verdict.Key switch
                {
                    BgpIPv4Key => bgp with { IPv4 = (BgpSessionState)verdict.State },
                    BgpIPv6Key => bgp with { IPv6 = (BgpSessionState)verdict.State },
                    _ => bgp,
                };
            }
        }

        var standings = new LocalStanding[_vips.Length];
        for (var i = 0; i < _vips.Length; i++)
        {
            var vip = _vips[i];
            var (eligible, priority, _) = Eligibility.Evaluate(vip, node, statuses, _checks, links.GetValueOrDefault(vip.Interface, LinkState.Gone), bgp);
            standings[i] = new LocalStanding(eligible, (byte)priority);
        }

        return standings;
    }

    private static ulong ComputeDigest(VipConfig[] vips, IReadOnlyDictionary<string, CheckConfig> checks)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var text = new StringBuilder("vipd standing 1\n");
        foreach (var (name, check) in checks.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            text.Append("check\0").Append(name).Append('\0').Append(check.Weight.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        hash.AppendData(Encoding.UTF8.GetBytes(text.ToString()));
        Span<byte> key = stackalloc byte[8];
        foreach (var vip in vips.Select(v => (Key: VipKey.Of(v.Name), Vip: v)).OrderBy(v => v.Key))
        {
            BinaryPrimitives.WriteUInt64BigEndian(key, vip.Key);
            hash.AppendData(key);
            text.Clear().Append(vip.Vip.Interface).Append('\0').Append(vip.Vip.Priority.ToString(CultureInfo.InvariantCulture));
            foreach (var entry in vip.Vip.Priorities.OrderBy(p => p.Node, StringComparer.Ordinal))
            {
                text.Append('\0').Append(entry.Node).Append('=').Append(entry.Priority.ToString(CultureInfo.InvariantCulture));
            }

            text.Append(vip.Vip.Mode == VipMode.Bgp ? "\0bgp\0" : "\0");
            foreach (var check in vip.Vip.Checks)
            {
                text.Append(check).Append(',');
            }

            text.Append('\n');
            hash.AppendData(Encoding.UTF8.GetBytes(text.ToString()));
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        var value = BinaryPrimitives.ReadUInt64BigEndian(digest);
        return value == 0 ? 1 : value;
    }
}

/// <summary>A node's derived standing for one VIP.</summary>
/// <param name="Eligible">Its interface is up and its checks allow it.</param>
/// <param name="Priority">Its priority, 1–255.</param>
public readonly record struct LocalStanding(bool Eligible, byte Priority);
