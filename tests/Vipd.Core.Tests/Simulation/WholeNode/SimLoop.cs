using Vipd.Core.Nodes;

namespace Vipd.Core.Tests.Simulation.WholeNode;

/// <summary>
/// A node's loop in virtual time: a trampoline on the thread that advances the clock. A post runs at once unless the
/// loop is already running (then it queues behind) or frozen (a stopped process: inputs wait). A dead loop drops all.
/// </summary>
internal sealed class SimLoop : INodeLoop
{
    private readonly Queue<Action> _queue = new();
    private bool _running;
    private bool _frozen;

    public bool Dead { get; private set; }

    public int Queued => _queue.Count;

    public void Post(Action action)
    {
        if (Dead)
        {
            return;
        }

        _queue.Enqueue(action);
        Drain();
    }

    public void Freeze() => _frozen = true;

    public void Thaw()
    {
        _frozen = false;
        Drain();
    }

    public void Kill()
    {
        Dead = true;
        _queue.Clear();
    }

    private void Drain()
    {
        if (_running || _frozen)
        {
            return;
        }

        _running = true;
        try
        {
            while (!_frozen && !Dead && _queue.TryDequeue(out var action))
            {
                action();
            }
        }
        finally
        {
            _running = false;
        }
    }
}
