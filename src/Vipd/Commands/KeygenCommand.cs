using System.CommandLine;
using Vipd.Core.Crypto;
using Vipd.Hosting;

namespace Vipd.Commands;

/// <summary>
/// <c>vipd keygen</c>: a new random 32-byte cluster key in base64, printed, or with <c>--output FILE</c> written to
/// FILE with mode 0600 atomically (a temporary file in the same folder, then rename), never over an existing file
/// without <c>--force</c>.
/// </summary>
internal static class KeygenCommand
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static Command Create()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write the key to FILE (mode 0600, atomically) instead of printing it" };
        var force = new Option<bool>("--force") { Description = "With --output: replace an existing FILE" };
        var command = new Command("keygen", "Print a new cluster key (base64, 32 bytes) for cluster.key_file, or write it to --output FILE") { output, force };
        command.SetAction(parse => Run(parse.GetValue(output), parse.GetValue(force), Console.Out, Console.Error));
        return command;
    }

    public static int Run(string? path, bool force, TextWriter output, TextWriter errors)
    {
        var key = Keyring.GenerateKey();
        if (path is null)
        {
            output.WriteLine(key);
            return ExitCodes.Ok;
        }

        var full = Path.GetFullPath(path);
        if (!force && (File.Exists(full) || Directory.Exists(full)))
        {
            errors.WriteLine($"{full} exists; keep it, or replace it with `vipd keygen --output {full} --force` (every node needs the same key)");
            return ExitCodes.Usage;
        }

        var folder = Path.GetDirectoryName(full) ?? "/";
        var temporary = Path.Combine(folder, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            // Created 0600 from the start (never readable by others, whatever the umask), flushed, then renamed
            // over the target: a reader sees the old key or the new one, never a part.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(key + "\n");
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: force);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            errors.WriteLine($"cannot write {full}: {ex.Message}");
            return ex is UnauthorizedAccessException ? ExitCodes.NoPermission : ExitCodes.KeyFile;
        }

        output.WriteLine($"{full}: new cluster key written (mode 0600); copy the same file to every node");
        return ExitCodes.Ok;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing was created, or it cannot be removed either: the error above says what failed.
        }
    }
}
