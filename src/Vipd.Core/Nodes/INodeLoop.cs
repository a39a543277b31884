namespace Vipd.Core.Nodes;

/// <summary>
/// The one loop that drives a <see cref="Node"/>: every input (datagram, timer, check result, link or address
/// change, conflict, API command, reload) runs as a posted action, one at a time, in the order posted. The daemon
/// runs it on one thread (<c>SerialExecutor</c>); a simulation runs it inline on the thread that advances virtual time.
/// </summary>
public interface INodeLoop
{
    /// <summary>Queues <paramref name="action"/>; it runs after everything posted before it, never concurrently with another.</summary>
    void Post(Action action);
}
