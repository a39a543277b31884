using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Vipd.Checks;

/// <summary>
/// exec: runs the argv without a shell; exit status 0 passes. On cancellation (the timeout) the process and
/// all its descendants are killed. With a user, the argv runs under <c>setpriv --reuid=USER --regid=GID
/// --init-groups --reset-env --</c> (util-linux; no shell, no PAM session), GID being the user's primary group.
/// The first output line (stdout, else stderr; bounded) goes into the detail; the rest is drained and dropped.
/// </summary>
internal sealed class ExecProbe(IReadOnlyList<string> command, string? user, TimeProvider time) : ICheckProbe
{
    internal const string SetprivPath = "/usr/bin/setpriv";
    private const string IdPath = "/usr/bin/id";
    private const int MaxCapturedChars = 1024;
    private static readonly TimeSpan DrainGrace = TimeSpan.FromMilliseconds(100);

    private string? _primaryGroup;

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        if (command.Count == 0)
        {
            return ProbeResult.Fail("empty command");
        }

        var argv = command;
        if (user is not null)
        {
            _primaryGroup ??= await PrimaryGroupAsync(user, cancellationToken).ConfigureAwait(false);
            if (_primaryGroup is null)
            {
                return ProbeResult.Fail($"unknown user {user}");
            }

            argv = [SetprivPath, $"--reuid={user}", $"--regid={_primaryGroup}", "--init-groups", "--reset-env", "--", .. command];
        }

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

    /// <summary>The user's primary GID as <c>id -g</c> reports it (through NSS), or null for an unknown user.</summary>
    private async Task<string?> PrimaryGroupAsync(string name, CancellationToken cancellationToken)
    {
        var (exitCode, stdout, _, error) = await RunProcessAsync([IdPath, "-g", "--", name], cancellationToken).ConfigureAwait(false);
        var gid = DetailText.FirstLine(stdout);
        return error is null && exitCode == 0 && uint.TryParse(gid, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? gid : null;
    }

    /// <summary>Runs argv to completion or cancellation (then kills the whole tree and throws).</summary>
    private async Task<(int ExitCode, string Stdout, string Stderr, string? Error)> RunProcessAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = "/",
        };
        for (var i = 1; i < argv.Count; i++)
        {
            info.ArgumentList.Add(argv[i]);
        }

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
        var stdout = ReadBoundedAsync(process.StandardOutput);
        var stderr = ReadBoundedAsync(process.StandardError);
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

    /// <summary>Reads the whole stream (so the child never blocks on a full pipe) and keeps its start.</summary>
    private static async Task<string> ReadBoundedAsync(StreamReader reader)
    {
        var kept = new System.Text.StringBuilder();
        var buffer = new char[1024];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false)) > 0)
            {
                var room = MaxCapturedChars - kept.Length;
                if (room > 0)
                {
                    kept.Append(buffer, 0, Math.Min(room, read));
                }
            }
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        return kept.ToString();
    }

    public void Dispose()
    {
    }
}
