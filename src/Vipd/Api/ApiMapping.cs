using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Vipd.Api.V1;
using Vipd.Core.Config;
using Vipd.Core.Election;
using CoreMemberState = Vipd.Core.Membership.MemberState;

namespace Vipd.Api;

/// <summary>Pure translations from the daemon's types to the API's.</summary>
internal static partial class ApiMapping
{
    public static MemberState ToApi(CoreMemberState state) => state switch
    {
        CoreMemberState.Alive => MemberState.Alive,
        CoreMemberState.Suspect => MemberState.Suspect,
        CoreMemberState.Dead => MemberState.Dead,
        CoreMemberState.Left => MemberState.Left,
        _ => MemberState.Unspecified,
    };

    /// <summary>
    /// This node's state for a VIP: holding when its announcer holds it; unowned when nobody owns it; standby when
    /// another node owns it and this one is eligible (ranked); ineligible otherwise.
    /// </summary>
    public static VipState StateOf(string localNode, bool holding, string? owner, VipExplanation? explanation)
    {
        if (holding)
        {
            return VipState.Holding;
        }

        if (owner is null)
        {
            return VipState.Unowned;
        }

        var local = explanation?.Candidates.FirstOrDefault(c => c.Node == localNode);
        return local is { Rank: > 0 } ? VipState.Standby : VipState.Ineligible;
    }

    /// <summary>"l2" or "bgp": a VIP's mode as the API spells it.</summary>
    public static string ModeOf(Vipd.Core.Config.VipConfig vip) => vip.Mode == Vipd.Core.Config.VipMode.Bgp ? "bgp" : "l2";

    /// <summary>"active-standby" or "active-active" for a BGP VIP; empty for an L2 VIP.</summary>
    public static string PolicyOf(Vipd.Core.Config.VipConfig vip) => vip.Mode != Vipd.Core.Config.VipMode.Bgp ? string.Empty
        : vip.Policy == Vipd.Core.Config.BgpPolicy.ActiveActive ? "active-active" : "active-standby";

    public static ExplainResponse ToApi(VipExplanation explanation)
    {
        ArgumentNullException.ThrowIfNull(explanation);
        var response = new ExplainResponse
        {
            Vip = explanation.Vip,
            Owner = explanation.Owner ?? string.Empty,
            Summary = explanation.Summary,
        };
        response.Candidates.AddRange(explanation.Candidates.Select(c => new Candidate { Node = c.Node, Rank = (uint)Math.Max(0, c.Rank), Reason = c.Reason }));
        if (explanation.ReconsiderAt is { } at)
        {
            response.ReconsiderAt = Timestamp.FromDateTimeOffset(at);
        }

        return response;
    }

    public static Vipd.Api.V1.ConfigError ToApi(Vipd.Core.Config.ConfigError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new Vipd.Api.V1.ConfigError { File = error.File, Line = (uint)error.Line, Column = (uint)error.Column, Message = error.Message };
    }

    /// <summary>A refused reload: not ok, the errors as <c>vipd check</c> prints them.</summary>
    public static ReloadResult Refused(DateTimeOffset time, IEnumerable<Vipd.Core.Config.ConfigError> errors)
    {
        var result = new ReloadResult { Time = Timestamp.FromDateTimeOffset(time), Ok = false };
        result.Errors.AddRange(errors.Select(ToApi));
        return result;
    }

    /// <summary>An applied reload: ok, the new digest and the VIPs added, removed and changed.</summary>
    public static ReloadResult Applied(DateTimeOffset time, string digest, ConfigDiff diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        var result = new ReloadResult { Time = Timestamp.FromDateTimeOffset(time), Ok = true, ConfigDigest = digest };
        result.Added.AddRange(diff.VipsAdded);
        result.Removed.AddRange(diff.VipsRemoved);
        result.Changed.AddRange(diff.VipsChanged);
        return result;
    }

    /// <summary>"sha256:&lt;lower-case hex&gt;" of the config file's bytes.</summary>
    public static string Digest(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The file's text as <see cref="File.ReadAllText(string)"/> reads it (UTF-8, a byte order mark dropped).</summary>
    public static string DecodeText(ReadOnlySpan<byte> bytes) =>
        Encoding.UTF8.GetString(bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? bytes[3..] : bytes);

    /// <summary>The MAC address in an announcer conflict message ("claimed by aa:bb:cc:dd:ee:ff (...)"), or the message itself.</summary>
    public static string MacOf(string? message)
    {
        if (message is null)
        {
            return string.Empty;
        }

        var match = MacPattern().Match(message);
        return match.Success ? match.Value.ToLowerInvariant() : message;
    }

    [GeneratedRegex("[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}")]
    private static partial Regex MacPattern();
}
