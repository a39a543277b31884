using System.Net;
using Vipd.Core.Config;

namespace Vipd.Tests.Checks;

/// <summary>Check configs for tests, with the config defaults.</summary>
internal static class Checks
{
    public static CheckConfig Make(
        string name,
        CheckType type = CheckType.Exec,
        int rise = 2,
        int fall = 2,
        int weight = 0,
        TimeSpan? interval = null,
        TimeSpan? timeout = null,
        string[]? command = null,
        string? user = null,
        EndPoint? target = null,
        Uri? url = null,
        int expectStatus = 200,
        string? @interface = null,
        string? path = null) => new()
        {
            Name = name,
            Type = type,
            Interval = interval ?? TimeSpan.FromSeconds(1),
            Timeout = timeout ?? interval ?? TimeSpan.FromSeconds(1),
            Rise = rise,
            Fall = fall,
            Weight = weight,
            Command = new EquatableArray<string>(command ?? ["/bin/true"]),
            User = user,
            Target = target,
            Url = url,
            ExpectStatus = expectStatus,
            Interface = @interface,
            Path = path,
        };
}
