namespace Vipd.Lab;

/// <summary>Decodes pcap files with tshark (reads a file only; runs outside the lab namespaces).</summary>
public static class Tshark
{
    /// <summary>
    /// Runs <c>tshark -r PCAP -n -T fields -e F1 -e F2 … [-Y FILTER]</c> and returns one row per packet with one value
    /// per field (empty when absent; several occurrences joined with ',').
    /// </summary>
    public static async Task<IReadOnlyList<IReadOnlyList<string>>> DecodeAsync(
        string pcapPath,
        IReadOnlyList<string> fields,
        string? displayFilter = null,
        CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(pcapPath);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentOutOfRangeException.ThrowIfZero(fields.Count);
        List<string> args = ["-r", pcapPath, "-n", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,"];
        foreach (var field in fields)
        {
            args.Add("-e");
            args.Add(field);
        }

        if (!string.IsNullOrWhiteSpace(displayFilter))
        {
            args.Add("-Y");
            args.Add(displayFilter);
        }

        var result = await Tool.CheckAsync("tshark", args, null, ct).ConfigureAwait(false);
        return [.. result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => (IReadOnlyList<string>)line.TrimEnd('\r').Split('\t'))];
    }
}
