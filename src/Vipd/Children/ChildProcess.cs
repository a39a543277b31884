using System.Diagnostics;
using System.Globalization;
using System.Text;
using Vipd.Linux.Interfaces;

namespace Vipd.Children;

/// <summary>
/// How vipd starts exec checks and notify scripts: never with its own privileges. Each child runs through
/// <c>setpriv</c> (util-linux; .NET's Process.Start cannot drop capabilities) with no_new_privs, the inheritable and
/// ambient capability sets cleared (so nothing survives the exec of a non-root user), the bounding set cleared too
/// when vipd may (CAP_SETPCAP: vipd run as root), and a minimal environment (<see cref="BaseEnvironment"/>, plus
/// the caller's variables). It runs as the configured user, else as <see cref="DefaultUser"/> with no
/// supplementary groups whenever vipd may switch users (CAP_SETUID and CAP_SETGID: root, or the packaged unit), so
/// it cannot read the key file (0600 or 0640 root:vipd); it inherits no descriptor (.NET opens every file
/// close-on-exec; the key file is read and closed at start). Its output is read to the end, keeping at most
/// <see cref="MaxCapturedChars"/> characters.
/// </summary>
internal static class ChildProcess
{
    /// <summary>util-linux's setpriv.</summary>
    public const string SetprivPath = "/usr/bin/setpriv";

    /// <summary>The user a child runs as when none is configured and vipd may switch users.</summary>
    public const string DefaultUser = "nobody";

    /// <summary>Characters of each output stream kept; the rest is read and dropped.</summary>
    public const int MaxCapturedChars = 1024;

    private const string IdPath = "/usr/bin/id";

    /// <summary>CAP_SETGID, CAP_SETUID, CAP_SETPCAP (linux/capability.h).</summary>
    private const int SetGid = 6, SetUid = 7, SetPcap = 8;

    /// <summary>The whole environment of a child besides the caller's own variables.</summary>
    public static readonly IReadOnlyDictionary<string, string> BaseEnvironment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["LANG"] = "C.UTF-8",
    };

    /// <summary>What vipd may do for its children: switch users, clear the bounding set.</summary>
    public readonly record struct Powers(bool SwitchUser, bool ClearBounding)
    {
        /// <summary>This process's powers, from its effective capabilities.</summary>
        public static Powers Current => new(Capabilities.Has(SetUid) && Capabilities.Has(SetGid), Capabilities.Has(SetPcap));
    }

    /// <summary>
    /// The setpriv argv that runs <paramref name="command"/> without privileges (pure). <paramref name="user"/> with
    /// its primary <paramref name="group"/> (numeric) and its supplementary groups; null: <see cref="DefaultUser"/>
    /// (with <paramref name="group"/> and no supplementary groups) when <paramref name="powers"/> allow a switch,
    /// else vipd's own user.
    /// </summary>
    public static IReadOnlyList<string> Wrap(IReadOnlyList<string> command, string? user, string? group, Powers powers)
    {
        ArgumentNullException.ThrowIfNull(command);
        var argv = new List<string> { SetprivPath, "--no-new-privs", "--inh-caps=-all", "--ambient-caps=-all" };
        if (powers.ClearBounding)
        {
            argv.Add("--bounding-set=-all");
        }

        if (user is not null && group is not null)
        {
            argv.AddRange([$"--reuid={user}", $"--regid={group}", "--init-groups"]);
        }
        else if (powers.SwitchUser && group is not null)
        {
            argv.AddRange([$"--reuid={DefaultUser}", $"--regid={group}", "--clear-groups"]);
        }

        argv.Add("--");
        argv.AddRange(command);
        return argv;
    }

    /// <summary>The user's primary GID as <c>id -g</c> reports it (through NSS), or null for an unknown user.</summary>
    public static async Task<string?> PrimaryGroupAsync(string user, CancellationToken cancellationToken)
    {
        var info = StartInfo([IdPath, "-g", "--", user], null);
        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
            process.StandardInput.Close();
            var output = ReadBoundedAsync(process.StandardOutput);
            var errors = ReadBoundedAsync(process.StandardError);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var gid = (await output.ConfigureAwait(false)).Trim();
            await errors.ConfigureAwait(false);
            return process.ExitCode == 0 && uint.TryParse(gid, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? gid : null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    /// <summary>A start info with redirected streams, working folder /, and exactly the base environment plus <paramref name="environment"/>.</summary>
    public static ProcessStartInfo StartInfo(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment)
    {
        ArgumentNullException.ThrowIfNull(argv);
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

        info.Environment.Clear();
        foreach (var (name, value) in BaseEnvironment.Concat(environment ?? new Dictionary<string, string>()))
        {
            info.Environment[name] = value;
        }

        return info;
    }

    /// <summary>Reads the whole stream (so the child never blocks on a full pipe) and keeps its first <see cref="MaxCapturedChars"/> characters.</summary>
    public static async Task<string> ReadBoundedAsync(StreamReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var kept = new StringBuilder();
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
}
