using System.Diagnostics;

namespace Vipctl.Tests;

/// <summary>Runs a program as a child process and collects its exit code, stdout and stderr.</summary>
internal static class ChildProcess
{
    /// <summary>Runs <paramref name="program"/> with <paramref name="args"/>, for at most 30 seconds.</summary>
    public static Task<CliRun> RunAsync(string program, params string[] args) => RunAsync(TimeSpan.FromSeconds(30), program, args);

    /// <summary>Runs <paramref name="program"/>; one still running after <paramref name="timeout"/> is killed and the test fails.</summary>
    public static async Task<CliRun> RunAsync(TimeSpan timeout, string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliRun(process.ExitCode, await output, await error);
    }
}
