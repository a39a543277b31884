using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Vipctl;

/// <summary>
/// Standard output that reports a closed pipe. .NET's console stream ignores EPIPE, so <c>vipctl watch | head -1</c>
/// would run on after head exits; writing to fd 1 through a <see cref="FileStream"/> when it is a pipe makes the
/// write fail instead (the runtime ignores SIGPIPE), and <see cref="IsBrokenPipe"/> recognises that failure.
/// </summary>
internal static class StandardOutput
{
    private const int Epipe = 32;

    public static TextWriter Open()
    {
        if (!Console.IsOutputRedirected)
        {
            return Console.Out;
        }

        FileStream? stream = null;
        try
        {
            stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (stream.CanSeek)
            {
                // A file (perhaps opened for appending): the console stream writes it as the shell intended.
                stream.Dispose();
                return Console.Out;
            }

            return new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stream?.Dispose();
            return Console.Out;
        }
    }

    /// <summary>The reader of standard output went away (EPIPE): stop quietly, as a SIGPIPE would.</summary>
    public static bool IsBrokenPipe(Exception exception) => exception is IOException { HResult: Epipe };
}
