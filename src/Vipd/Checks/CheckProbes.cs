using Vipd.Core.Config;

namespace Vipd.Checks;

/// <summary>Makes the probe for a check's type.</summary>
internal static class CheckProbes
{
    public static ICheckProbe Create(CheckConfig check, TimeProvider time, Func<string, bool>? interfaceIsUp) => check.Type switch
    {
        CheckType.Exec => new ExecProbe([.. check.Command], check.User, time),
        CheckType.Tcp => new TcpProbe(check.Target ?? throw Missing(check, "address")),
        CheckType.Http or CheckType.Https => new HttpProbe(check.Url ?? throw Missing(check, "url"), check.ExpectStatus, check.InsecureSkipVerify, check.Timeout),
        CheckType.Interface => new InterfaceProbe(check.Interface ?? throw Missing(check, "interface"), interfaceIsUp),
        CheckType.File => new FileProbe(check.Path ?? throw Missing(check, "path")),
        _ => throw new ArgumentOutOfRangeException(nameof(check), check.Type, "unknown check type"),
    };

    private static ArgumentException Missing(CheckConfig check, string key) =>
        new($"check {check.Name}: {key} is required for type {check.Type}", nameof(check));
}
