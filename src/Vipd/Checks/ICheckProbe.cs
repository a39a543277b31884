namespace Vipd.Checks;

/// <summary>Runs one check once. Cancellation means the run's timeout passed (or vipd stops): stop and clean up.</summary>
internal interface ICheckProbe : IDisposable
{
    Task<ProbeResult> RunAsync(CancellationToken cancellationToken);
}
