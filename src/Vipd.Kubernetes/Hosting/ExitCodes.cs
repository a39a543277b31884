namespace Vipd.Kubernetes.Hosting;

/// <summary>vipd's exit codes, the ones vipd-k8s can meet.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int ConfigInvalid = 1;
    public const int Usage = 2;
    public const int Internal = 70;
}
