namespace Vipd.Lab;

/// <summary>The outcome of a finished command: its exit code and everything it wrote.</summary>
public sealed record CommandResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Throws when the command failed, with its output in the message.</summary>
    public CommandResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed with exit code {ExitCode}: {StdErr.Trim()} {StdOut.Trim()}");
        }

        return this;
    }
}
