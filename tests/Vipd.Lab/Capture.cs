using System.Buffers.Binary;

namespace Vipd.Lab;

/// <summary>
/// A tcpdump capture on a host's <c>eth0</c> (<c>tcpdump -i eth0 --immediate-mode -U -n -w FILE FILTER</c>) inside its namespace.
/// <see cref="StartAsync(LabHost, string, CancellationToken)"/> returns once tcpdump reports "listening on", so nothing sent afterwards is missed;
/// <see cref="StopAsync"/> ends it with SIGINT and returns the pcap path (in the lab's work directory, deleted with the lab).
/// </summary>
public sealed class Capture : IAsyncDisposable
{
    private readonly LabProcess _process;
    private readonly LabNetwork _network;

    private Capture(LabHost host, LabProcess process, string path)
    {
        Host = host;
        _process = process;
        _network = host.Network;
        PcapPath = path;
    }

    /// <summary>The host captured on.</summary>
    public LabHost Host { get; }

    /// <summary>The pcap file.</summary>
    public string PcapPath { get; }

    /// <summary>tcpdump's own lines (e.g. "12 packets captured").</summary>
    public IReadOnlyList<string> Output => _process.Output;

    /// <summary>How many complete packets the pcap file holds now (tcpdump writes each one as it comes, -U).</summary>
    public int CountPackets()
    {
        byte[] data;
        try
        {
            using var stream = new FileStream(PcapPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            data = copy.ToArray();
        }
        catch (FileNotFoundException)
        {
            return 0;
        }

        if (data.Length < 24)
        {
            return 0;
        }

        var swapped = BinaryPrimitives.ReadUInt32LittleEndian(data) is not (0xa1b2c3d4 or 0xa1b23c4d);
        var count = 0;
        var offset = 24;
        while (offset + 16 <= data.Length)
        {
            var field = data.AsSpan(offset + 8, 4);
            var included = swapped ? BinaryPrimitives.ReadUInt32BigEndian(field) : BinaryPrimitives.ReadUInt32LittleEndian(field);
            if (offset + 16 + (long)included > data.Length)
            {
                break;
            }

            offset += 16 + (int)included;
            count++;
        }

        return count;
    }

    /// <summary>Waits until the file holds at least <paramref name="count"/> packets; false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForPacketsAsync(int count, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (CountPackets() < count)
        {
            if (Environment.TickCount64 >= deadline || _process.HasExited)
            {
                return CountPackets() >= count;
            }

            await Task.Delay(10, ct).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Starts capturing on <paramref name="host"/>'s eth0 with a BPF filter (empty: everything); waits (≤ 10 s) until tcpdump listens.</summary>
    public static Task<Capture> StartAsync(LabHost host, string bpfFilter, CancellationToken ct = default) => StartAsync(host, bpfFilter, null, ct);

    /// <summary>
    /// As <see cref="StartAsync(LabHost, string, CancellationToken)"/>, with a kernel capture buffer of
    /// <paramref name="bufferKiB"/> KiB (tcpdump -B; null: libpcap's default, which drops frames of a burst of hundreds
    /// on a busy machine).
    /// </summary>
    public static async Task<Capture> StartAsync(LabHost host, string bpfFilter, int? bufferKiB, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(bpfFilter);
        Directory.CreateDirectory(host.Network.WorkDirectory);
        var path = Path.Combine(host.Network.WorkDirectory, $"{host.Name}-{Guid.NewGuid():N}.pcap");
        List<string> args = ["-i", host.Interface, "--immediate-mode", "-U", "-n", "-Z", "root", "-w", path];
        if (bufferKiB is { } kib)
        {
            args.AddRange(["-B", kib.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        if (!string.IsNullOrWhiteSpace(bpfFilter))
        {
            args.Add(bpfFilter);
        }

        var process = host.Start("tcpdump", args);
        var capture = new Capture(host, process, path);
        try
        {
            await process.WaitForOutputAsync("listening on", TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        }
        catch
        {
            await process.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        host.Network.Own(capture);
        return capture;
    }

    /// <summary>
    /// Stops tcpdump and returns the pcap path. tcpdump drops what it has not read yet when interrupted, so this first
    /// waits until the file has stopped growing for 100 ms (2 s at most), then sends SIGINT (SIGKILL after 5 s).
    /// </summary>
    public async Task<string> StopAsync()
    {
        if (!_process.HasExited)
        {
            var deadline = Environment.TickCount64 + 2000;
            long size = -1;
            var stableSince = Environment.TickCount64;
            while (Environment.TickCount64 < deadline && !_process.HasExited)
            {
                var now = new FileInfo(PcapPath) is { Exists: true } info ? info.Length : 0;
                if (now != size)
                {
                    size = now;
                    stableSince = Environment.TickCount64;
                }
                else if (Environment.TickCount64 - stableSince >= 100)
                {
                    break;
                }

                await Task.Delay(25).ConfigureAwait(false);
            }

            _process.Kill(Posix.SigInt);
            if (!await _process.WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
            {
                _process.Kill(Posix.SigKill);
                await _process.WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
        }

        await _process.DisposeAsync().ConfigureAwait(false);
        _network.Disown(this);
        return PcapPath;
    }

    /// <summary>Stops the capture (the file stays until the lab is disposed).</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
