using System.Net;
using System.Net.NetworkInformation;
using System.Text.Json;

namespace Vipd.Lab;

/// <summary>One neighbour-cache entry as <c>ip -j neigh</c> shows it; <paramref name="State"/> is e.g. "REACHABLE" or "STALE" (several joined with ',').</summary>
public sealed record NeighborEntry(IPAddress Address, PhysicalAddress? Mac, string State)
{
    /// <summary>Parses the output of <c>ip -j neigh show</c>; entries without an address are skipped, entries without lladdr get a null MAC.</summary>
    public static IReadOnlyList<NeighborEntry> ParseIpJson(string json)
    {
        var list = new List<NeighborEntry>();
        if (string.IsNullOrWhiteSpace(json))
        {
            return list;
        }

        using var doc = JsonDocument.Parse(json);
        foreach (var item in doc.RootElement.EnumerateArray())
        {
            if (!item.TryGetProperty("dst", out var dst) || !IPAddress.TryParse(dst.GetString(), out var address))
            {
                continue;
            }

            PhysicalAddress? mac = null;
            if (item.TryGetProperty("lladdr", out var ll) && ll.GetString() is { } text)
            {
                mac = PhysicalAddress.Parse(text.Replace(':', '-'));
            }

            var state = "";
            if (item.TryGetProperty("state", out var st))
            {
                state = st.ValueKind == JsonValueKind.Array
                    ? string.Join(',', st.EnumerateArray().Select(s => s.GetString()))
                    : st.GetString() ?? "";
            }

            list.Add(new NeighborEntry(address, mac, state));
        }

        return list;
    }
}

