using System.Runtime.InteropServices;

namespace Vipd.Lab;

/// <summary>The few libc calls the lab needs beyond the BCL.</summary>
internal static partial class Posix
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/> to process group <paramref name="pgid"/>; false when no such group exists.</summary>
    public static bool KillGroup(int pgid, int signal)
    {
        if (pgid <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pgid), pgid, "refusing to signal a process group <= 1");
        }

        return Kill(-pgid, signal) == 0;
    }

    /// <summary>Sends <paramref name="signal"/> to one process.</summary>
    public static bool KillProcess(int pid, int signal)
    {
        if (pid <= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pid), pid, "refusing to signal a PID <= 1");
        }

        return Kill(pid, signal) == 0;
    }

    /// <summary>True when a process with this PID exists (signal 0).</summary>
    public static bool Exists(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        if (Kill(pid, 0) == 0)
        {
            return true;
        }

        return Marshal.GetLastPInvokeError() == 1; // EPERM: exists, not ours
    }

    /// <summary>Best effort: gives the calling thread nice value <paramref name="nice"/> (root may go below 0).</summary>
    public static void NiceThisThread(int nice)
    {
        var tid = GetTid();
        _ = SetPriority(0 /* PRIO_PROCESS: on Linux a TID names one thread */, tid, nice);
    }

    /// <summary>
    /// Best effort: puts the calling thread under SCHED_RR at the lowest real-time priority (1), so a busy machine does
    /// not delay its wake-ups; only for threads that sleep nearly all the time. False when refused.
    /// </summary>
    public static unsafe bool RealTimeThisThread()
    {
        var priority = 1;
        return SchedSetScheduler(GetTid(), 2 /* SCHED_RR */, &priority) == 0;
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static unsafe partial int SchedSetScheduler(int pid, int policy, int* param);

    /// <summary>usleep(3): a high-resolution sleep of the calling thread.</summary>
    public static void SleepMicroseconds(uint microseconds) => _ = USleep(microseconds);

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint usec);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
