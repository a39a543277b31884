using System.Runtime.InteropServices;

namespace Vipd.Linux;

/// <summary>
/// A kernel call failed with an errno that is not an expected result. Carries the errno, the operation, the
/// interface (when there is one) and the kernel's own text (netlink extended ACK, or strerror).
/// </summary>
public sealed class KernelException : Exception
{
    public KernelException(int errno, string operation, string? interfaceName, string? kernelMessage)
        : base(Format(errno, operation, interfaceName, kernelMessage))
    {
        Errno = errno;
        Operation = operation;
        Interface = interfaceName;
        KernelMessage = kernelMessage;
    }

    public KernelException()
        : this(0, "unknown", null, null)
    {
    }

    public KernelException(string message)
        : base(message)
    {
        Operation = "unknown";
    }

    public KernelException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = "unknown";
    }

    /// <summary>The errno value (positive).</summary>
    public int Errno { get; }

    /// <summary>What was attempted, such as <c>add address 192.0.2.200/24</c>.</summary>
    public string Operation { get; }

    /// <summary>The interface involved, when there is one.</summary>
    public string? Interface { get; }

    /// <summary>The kernel's explanation: extended-ACK text when netlink gave one, otherwise strerror.</summary>
    public string? KernelMessage { get; }

    /// <summary>The symbolic errno name, such as <c>EPERM</c>, when known.</summary>
    public string ErrnoName => NameOf(Errno);

    /// <summary>The symbolic name of an errno value, such as <c>EEXIST</c>, or <c>errno N</c>.</summary>
    public static string NameOf(int errno) => errno switch
    {
        1 => "EPERM",
        2 => "ENOENT",
        3 => "ESRCH",
        4 => "EINTR",
        11 => "EAGAIN",
        13 => "EACCES",
        16 => "EBUSY",
        17 => "EEXIST",
        19 => "ENODEV",
        22 => "EINVAL",
        95 => "EOPNOTSUPP",
        98 => "EADDRINUSE",
        99 => "EADDRNOTAVAIL",
        105 => "ENOBUFS",
        110 => "ETIMEDOUT",
        _ => $"errno {errno}",
    };

    /// <summary>Throws for the calling thread's last errno (after a libc call that returned -1).</summary>
    public static KernelException FromLastError(string operation, string? interfaceName = null)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new KernelException(errno, operation, interfaceName, Marshal.GetPInvokeErrorMessage(errno));
    }

    private static string Format(int errno, string operation, string? interfaceName, string? kernelMessage)
    {
        var where = interfaceName is null ? string.Empty : $" on {interfaceName}";
        var text = string.IsNullOrEmpty(kernelMessage) ? Marshal.GetPInvokeErrorMessage(errno) : kernelMessage;
        return $"{operation}{where} failed: {text} (errno {errno})";
    }
}
