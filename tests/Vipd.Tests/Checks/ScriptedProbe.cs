using Vipd.Checks;

namespace Vipd.Tests.Checks;

/// <summary>A probe that returns queued results synchronously (the last one repeats), or hangs when told.</summary>
internal sealed class ScriptedProbe : ICheckProbe
{
    private readonly Queue<ProbeResult> _results = new();
    private ProbeResult _last = ProbeResult.Fail("nothing scripted");

    public int Runs { get; private set; }

    public bool Hang { get; set; }

    public bool Disposed { get; private set; }

    public ScriptedProbe Then(params ProbeResult[] results)
    {
        foreach (var result in results)
        {
            _results.Enqueue(result);
        }

        return this;
    }

    public Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        Runs++;
        if (Hang)
        {
            return Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => _last, TaskScheduler.Default);
        }

        if (_results.TryDequeue(out var next))
        {
            _last = next;
        }

        return Task.FromResult(_last);
    }

    public void Dispose() => Disposed = true;
}
