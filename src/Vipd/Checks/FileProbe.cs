using System.Globalization;

namespace Vipd.Checks;

/// <summary>
/// file: reads the first line of the file (at most 4 KiB). Missing or unreadable: fails. The word <c>fault</c>
/// (any case): fails. An integer: passes with that value as <see cref="ProbeResult.FileValue"/> (added to the
/// priority, as keepalived's <c>track_file</c>). Anything else, also an empty file: passes without a value.
/// </summary>
internal sealed class FileProbe(string path) : ICheckProbe
{
    private const int MaxBytes = 4096;

    public async Task<ProbeResult> RunAsync(CancellationToken cancellationToken)
    {
        string text;
        try
        {
            var buffer = new byte[MaxBytes];
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, useAsync: false);
            await using (stream.ConfigureAwait(false))
            {
                var length = 0;
                int read;
                while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }

                text = System.Text.Encoding.UTF8.GetString(buffer, 0, length);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ProbeResult.Fail(DetailText.Bound($"{path}: {e.Message}"));
        }

        return Interpret(path, text);
    }

    /// <summary>What a file's contents mean (see the class summary).</summary>
    public static ProbeResult Interpret(string path, string text)
    {
        var line = DetailText.FirstLine(text);
        if (line.Equals("fault", StringComparison.OrdinalIgnoreCase))
        {
            return ProbeResult.Fail($"{path}: fault");
        }

        if (int.TryParse(line, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return ProbeResult.Pass($"{path}: {value}", value);
        }

        return ProbeResult.Pass($"{path} exists");
    }

    public void Dispose()
    {
    }
}
