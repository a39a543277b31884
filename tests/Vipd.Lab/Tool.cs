using System.Diagnostics;
using System.Text;

namespace Vipd.Lab;

/// <summary>Runs a short command to completion with a bounded wait, capturing its output.</summary>
internal static class Tool
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task<CommandResult> RunAsync(
        string file,
        IEnumerable<string> args,
        string? stdin = null,
        TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        }

        process.StandardInput.Close(); // never wait on a terminal

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            ct.ThrowIfCancellationRequested();
            throw new TimeoutException($"{Describe(file, psi.ArgumentList)} did not finish within {timeout ?? DefaultTimeout}");
        }

        return new CommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    public static async Task<CommandResult> CheckAsync(string file, IEnumerable<string> args, string? stdin = null, CancellationToken ct = default)
    {
        var list = args.ToList();
        var result = await RunAsync(file, list, stdin, null, ct).ConfigureAwait(false);
        return result.EnsureSuccess(Describe(file, list));
    }

    public static string Describe(string file, IEnumerable<string> args)
    {
        var text = new StringBuilder(file);
        foreach (var arg in args)
        {
            text.Append(' ').Append(arg.Contains(' ', StringComparison.Ordinal) ? $"'{arg}'" : arg);
        }

        return text.ToString();
    }
}
