using System.ComponentModel;
using System.Diagnostics;
using Vipd.Children;

namespace Vipd.Checks;

/// <summary>
/// exec: runs the argv without a shell; exit status 0 passes. On cancellation (the timeout) the process and
/// all its descendants are killed. It runs without privileges (<see cref="ChildProcess"/>): through setpriv with no
/// capabilities and no_new_privs, as the check's <c>user</c> (its primary group and supplementary groups), else as
/// <c>nobody</c> when vipd may switch users, in a minimal environment.
/// The first output line (stdout, else stderr; bounded) goes into the detail; the rest is drained and dropped.
/// </summary>
internal sealed class ExecProbe(IReadOnlyList<string> command, string? user, TimeProvider time, ChildProcess.Powers? powers = null) : ICheckProbe
{
    private static readonly TimeSpan DrainGrace = TimeSpan.FromMilliseconds(100);

    private readonly ChildProcess.Powers _powers = powers ?? ChildProcess.Powers.Current;
    private string? _group;

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        if (command.Count == 0)
        {
            return ProbeResult.Fail("empty command");
        }

        if (user is not null && !_powers.SwitchUser)
        {
            return ProbeResult.Fail($"cannot run as {user}: vipd lacks CAP_SETUID and CAP_SETGID (the packaged unit grants them)");
        }

        if (user is not null || _powers.SwitchUser)
        {
            _group ??= await ChildProcess.PrimaryGroupAsync(user ?? ChildProcess.DefaultUser, cancellationToken).ConfigureAwait(false);
            if (_group is null && user is not null)
            {
                return ProbeResult.Fail($"unknown user {user}");
            }
        }

        var argv = ChildProcess.Wrap(command, user, _group, _powers);
        var (exitCode, stdout, stderr, error) = await RunProcessAsync(argv, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return ProbeResult.Fail(DetailText.Bound(error));
        }

        var line = DetailText.FirstLine(stdout);
        if (line.Length == 0)
        {
            line = DetailText.FirstLine(stderr);
        }

        var detail = DetailText.Bound(line.Length == 0 ? $"exit {exitCode}" : $"exit {exitCode}: {line}");
        return exitCode == 0 ? ProbeResult.Pass(detail) : ProbeResult.Fail(detail);
    }

    /// <summary>Runs argv to completion or cancellation (then kills the whole tree and throws).</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr, string? Error)> RunProcessAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        var info = ChildProcess.StartInfo(argv, null);
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            return (-1, string.Empty, string.Empty, $"{argv[0]}: {e.Message}");
        }

        // Killed right in the cancellation callback, not after an await hop.
        using var kill = cancellationToken.Register(static p => Kill((Process)p!), process);
        process.StandardInput.Close();
        var stdout = ChildProcess.ReadBoundedAsync(process.StandardOutput);
        var stderr = ChildProcess.ReadBoundedAsync(process.StandardError);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);

        // A descendant that left the process tree may hold the pipes open: do not wait for it.
        string output = string.Empty, errors = string.Empty;
        try
        {
            output = await stdout.WaitAsync(DrainGrace, time, cancellationToken).ConfigureAwait(false);
            errors = await stderr.WaitAsync(DrainGrace, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        return (process.ExitCode, output, errors, null);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Exited meanwhile.
        }
    }

    public void Dispose()
    {
    }
}
