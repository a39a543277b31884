using System.Runtime.InteropServices;

namespace Vipd.Lab;

/// <summary>
/// Runs code inside a named network namespace (<c>/run/netns/NAME</c>) from this process: a dedicated thread
/// joins the namespace with setns(2) and runs the function there. Sockets (netlink, AF_PACKET, raw, UDP) created
/// by that function belong to the namespace for their whole life and can then be used from any thread.
/// Never read /sys/class/net from such a thread: sysfs shows the namespace it was mounted in, not the thread's.
/// </summary>
public static partial class NetNs
{
    private const int CloneNewNet = 0x40000000;

    /// <summary>Runs <paramref name="func"/> on a new thread that has joined namespace <paramref name="name"/>.</summary>
    public static T Run<T>(string name, Func<T> func)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(func);
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter(name);
                result = func();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = $"netns {name}",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException($"in network namespace {name}: {failure.Message}", failure);
        }

        return result;
    }

    /// <summary>Runs <paramref name="action"/> on a new thread that has joined namespace <paramref name="name"/>.</summary>
    public static void Run(string name, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Run(name, () =>
        {
            action();
            return true;
        });
    }

    /// <summary>Moves the calling thread into the namespace. Only for threads that end afterwards.</summary>
    private static void Enter(string name)
    {
        var path = $"/run/netns/{name}";
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        if (SetNs(file.DangerousGetHandle().ToInt32(), CloneNewNet) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new InvalidOperationException($"setns({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
