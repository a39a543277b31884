using System.Diagnostics;

namespace Vipd.Lab;

/// <summary>
/// A background process started inside a lab namespace (<c>setsid ip netns exec NS file args</c>, or with
/// <see cref="LabLauncher.Nsenter"/> <c>setsid nsenter --net=/run/netns/NS file args</c>): it leads its own process group, so <see cref="Kill"/> reaches its children too. Standard output and error are captured, line by
/// line, into <see cref="Output"/>. The owning <see cref="LabNetwork"/> kills it at the latest when disposed.
/// </summary>
public sealed class LabProcess : IAsyncDisposable
{
    /// <summary>SIGHUP (reload).</summary>
    public const int SigHup = 1;

    /// <summary>SIGINT.</summary>
    public const int SigInt = Posix.SigInt;

    /// <summary>SIGKILL.</summary>
    public const int SigKill = Posix.SigKill;

    /// <summary>SIGTERM (graceful stop).</summary>
    public const int SigTerm = Posix.SigTerm;

    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private readonly List<(string Text, TaskCompletionSource<string> Done)> _waiters = [];
    private readonly Action<LabProcess>? _onDispose;
    private int _disposed;
    private int? _exitCode;
    private bool _released;

    internal LabProcess(LabHost host, string file, IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? env, Action<LabProcess>? onDispose, LabLauncher launcher = LabLauncher.IpNetnsExec)
    {
        ArgumentNullException.ThrowIfNull(host);
        Host = host;
        CommandLine = Tool.Describe(file, args);
        _onDispose = onDispose;
        var psi = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[.. host.LauncherArguments(launcher), file, .. args])
        {
            psi.ArgumentList.Add(arg);
        }

        if (env is not null)
        {
            foreach (var (key, value) in env)
            {
                psi.Environment[key] = value;
            }
        }

        _process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Exited += (_, _) => FailWaiters();
        if (!_process.Start())
        {
            throw new InvalidOperationException($"cannot start {CommandLine}");
        }

        Pid = _process.Id;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The process ID; also its process-group and session ID.</summary>
    public int Pid { get; }

    /// <summary>The host it runs in.</summary>
    public LabHost Host { get; }

    /// <summary>The command line, for messages.</summary>
    public string CommandLine { get; }

    /// <summary>A snapshot of every line written so far to standard output and error, in arrival order.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => ExitCode is not null;

    /// <summary>The exit code, or null while it runs.</summary>
    public int? ExitCode
    {
        get
        {
            lock (_lock)
            {
                if (_exitCode is null && !_released && _process.HasExited)
                {
                    _exitCode = _process.ExitCode;
                }

                return _exitCode;
            }
        }
    }

    /// <summary>The standard input of the process (for tools that read commands).</summary>
    public StreamWriter StandardInput => _process.StandardInput;

    /// <summary>Waits until a line containing <paramref name="contains"/> appears (also one already written) and returns it.</summary>
    /// <exception cref="TimeoutException">No such line within <paramref name="timeout"/>, or the process exited first.</exception>
    public async Task<string> WaitForOutputAsync(string contains, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(contains);
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var line = _lines.Find(l => l.Contains(contains, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            _waiters.Add((contains, done));
        }

        if (HasExited)
        {
            FailWaiters();
        }

        try
        {
            return await done.Task.WaitAsync(timeout, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"'{contains}' not seen from {CommandLine} within {timeout}; output so far:\n{string.Join('\n', Output)}");
        }
        finally
        {
            lock (_lock)
            {
                _waiters.RemoveAll(w => w.Done == done);
            }
        }
    }

    /// <summary>Waits for the process to exit; returns false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        if (HasExited)
        {
            return true;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="signal"/> (default SIGKILL) to the process group. Does nothing once it has exited and its group is gone.</summary>
    public void Kill(int signal = Posix.SigKill)
    {
        // Right after Start the child may not have called setsid yet: then there is no group, signal the PID itself.
        if (!Posix.KillGroup(Pid, signal) && !HasExited)
        {
            Posix.KillProcess(Pid, signal);
        }
    }

    /// <summary>Sends SIGKILL to the group and waits (bounded) for the exit.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Kill(Posix.SigKill);
        await WaitForExitAsync(ExitWait).ConfigureAwait(false);
        _onDispose?.Invoke(this);
        lock (_lock)
        {
            if (_process.HasExited)
            {
                _exitCode ??= _process.ExitCode;
                _released = true;
                _process.Dispose();
            }

            // Still running after SIGKILL and 5 s (should not happen): keep the handle so HasExited stays truthful.
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"[{Host.Name} pid {Pid}] {CommandLine}";

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource<string>>? ready = null;
        lock (_lock)
        {
            _lines.Add(line);
            foreach (var (text, done) in _waiters)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    (ready ??= []).Add(done);
                }
            }
        }

        ready?.ForEach(d => d.TrySetResult(line));
    }

    private void FailWaiters()
    {
        // Exited can fire before the last lines are read; give the readers their EOF first.
        _ = Task.Run(async () =>
        {
            using var limit = new CancellationTokenSource(ExitWait);
            try
            {
                await _process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            catch (InvalidOperationException)
            {
            }

            string code;
            try
            {
                code = _process.HasExited ? _process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
            }
            catch (InvalidOperationException)
            {
                code = "?";
            }

            List<TaskCompletionSource<string>> waiting;
            lock (_lock)
            {
                waiting = [.. _waiters.Select(w => w.Done)];
            }

            waiting.ForEach(d => d.TrySetException(new TimeoutException($"{CommandLine} exited (code {code}) before the awaited output")));
        });
    }
}
