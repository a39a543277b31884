using System.Collections.Concurrent;

namespace Vipd.Hosting;

/// <summary>
/// Runs reactions one at a time on a dedicated thread, in the order they were posted. Membership and netlink
/// callbacks arrive on several threads; posting them here means the election → announcer → claims loop never
/// re-enters itself and never runs two reconciles at once.
/// </summary>
internal sealed class SerialExecutor : Vipd.Core.Nodes.INodeLoop, IDisposable
{
    private readonly BlockingCollection<Action> _queue = new(new ConcurrentQueue<Action>());
    private readonly Thread _thread;
    private readonly Action<Exception> _onError;

    public SerialExecutor(string name, Action<Exception> onError)
    {
        _onError = onError;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public void Post(Action action)
    {
        if (!_queue.IsAddingCompleted)
        {
            try
            {
                _queue.Add(action);
            }
            catch (InvalidOperationException)
            {
                // Completed between the check and the add: shutting down.
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> on the executor and waits for it (bounded by <paramref name="timeout"/>).</summary>
    public bool Invoke(Action action, TimeSpan timeout)
    {
        using var done = new ManualResetEventSlim();
        Post(() =>
        {
            try
            {
                action();
            }
            finally
            {
                done.Set();
            }
        });
        return done.Wait(timeout);
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(5));
        _queue.Dispose();
    }

    private void Run()
    {
        foreach (var action in _queue.GetConsumingEnumerable())
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                _onError(ex);
            }
        }
    }
}
