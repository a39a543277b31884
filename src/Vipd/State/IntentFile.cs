using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vipd.Core.Intents;

namespace Vipd.State;

/// <summary>
/// <c>&lt;state_dir&gt;/intents.json</c>: the intent store's snapshot (dynamic VIPs, Move preferences, tombstones,
/// the Lamport clock), so a restarted node keeps them and converges with its peers from there. Written atomically
/// (temporary file, fsync, rename); a corrupt file is reported, moved aside and never stops the daemon.
/// </summary>
public static class IntentFile
{
    /// <summary>The file name inside the state directory.</summary>
    public const string FileName = "intents.json";

    /// <summary>Current format written; only this one is read.</summary>
    public const int Format = 1;

    /// <summary>Larger files are not read (a source holds at most 1024 VIPs; this leaves ample room).</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    /// <summary>The file's path inside <paramref name="stateDirectory"/>.</summary>
    public static string PathIn(string stateDirectory) => Path.Combine(stateDirectory, FileName);

    /// <summary>
    /// Reads the file. Missing: an empty snapshot. Unreadable (bad JSON, unknown format, too large): moved aside to
    /// <c>intents.json.corrupt-YYYYMMDDTHHMMSSZ</c>, logged at Error, and an empty snapshot. Invalid entries are skipped.
    /// </summary>
    public static IntentFileLoad Load(string path, TimeProvider time, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        logger ??= NullLogger.Instance;
        if (!File.Exists(path))
        {
            return new IntentFileLoad(IntentSnapshot.Empty, null, null, 0);
        }

        string? reason;
        IntentFileDocument? document = null;
        try
        {
            var info = new FileInfo(path);
            if (info.Length > MaxFileBytes)
            {
                reason = $"larger than {MaxFileBytes} bytes";
            }
            else
            {
                document = JsonSerializer.Deserialize(File.ReadAllBytes(path), IntentFileJsonContext.Default.IntentFileDocument);
                reason = document is null ? "empty document" : document.Format != Format ? $"unknown format {document.Format}" : null;
            }
        }
        catch (JsonException ex)
        {
            reason = ex.Message;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Unreadable (permissions, I/O error): leave it where it is for the operator.
            logger.IntentFileUnreadable(path, ex.Message);
            return new IntentFileLoad(IntentSnapshot.Empty, ex.Message, null, 0);
        }

        if (reason is not null || document is null)
        {
            reason ??= "empty document";
            var movedTo = path + ".corrupt-" + time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            try
            {
                File.Move(path, movedTo, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.IntentFileUnreadable(path, $"{reason}; moving it aside failed: {ex.Message}");
                return new IntentFileLoad(IntentSnapshot.Empty, reason, null, 0);
            }

            logger.IntentFileCorrupt(path, reason, movedTo);
            return new IntentFileLoad(IntentSnapshot.Empty, reason, movedTo, 0);
        }

        var snapshot = ToSnapshot(document, out var skipped);
        if (skipped > 0)
        {
            logger.IntentEntriesSkipped(path, skipped);
        }

        logger.IntentFileLoaded(snapshot.Sources.Count, snapshot.Preferences.Count, path);
        return new IntentFileLoad(snapshot, null, null, skipped);
    }

    /// <summary>Writes <paramref name="snapshot"/> atomically: a temporary file beside it, fsync, rename over the old one.</summary>
    public static void Save(string path, IntentSnapshot snapshot)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(snapshot);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(ToDocument(snapshot), IntentFileJsonContext.Default.IntentFileDocument);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    internal static IntentFileDocument ToDocument(IntentSnapshot snapshot) => new()
    {
        Format = Format,
        Clock = snapshot.Clock,
        Sources = [.. snapshot.Sources.Select(s => new IntentFileSource
        {
            Source = s.Source,
            Counter = s.Version.Counter,
            Origin = s.Version.Origin,
            DeletedAt = s.DeletedAt,
            Vips = [.. s.Vips.Select(v => new IntentFileVip
            {
                Name = v.Name,
                Address = v.Cidr,
                Interface = v.Interface,
                AllowedNodes = [.. v.AllowedNodes],
                Preempt = v.Preempt,
                PreemptDelayMs = (long)v.PreemptDelay.TotalMilliseconds,
                Priority = (uint)v.Priority,
                Priorities = v.Priorities.ToDictionary(p => p.Node, p => (uint)p.Priority, StringComparer.Ordinal),
            })],
        })],
        Preferences = [.. snapshot.Preferences.Select(p => new IntentFilePreference
        {
            Vip = p.Vip,
            Node = p.Node,
            Counter = p.Version.Counter,
            Origin = p.Version.Origin,
            ClearedAt = p.ClearedAt,
        })],
    };

    internal static IntentSnapshot ToSnapshot(IntentFileDocument document, out int skipped)
    {
        skipped = 0;
        var sources = new List<SourceIntent>();
        foreach (var source in document.Sources ?? [])
        {
            var vips = new List<DynamicVip>();
            var valid = source is not null;
            foreach (var v in source?.Vips ?? [])
            {
                if (v is null || !IntentValidation.TryCreateVip(v.Name, v.Address, v.Interface, v.AllowedNodes, v.Preempt,
                    TimeSpan.FromMilliseconds(Math.Clamp(v.PreemptDelayMs, -1, (long)IntentValidation.MaxPreemptDelay.TotalMilliseconds + 1)),
                    v.Priority, v.Priorities, out var vip, out _))
                {
                    valid = false;
                    break;
                }

                vips.Add(vip!);
            }

            if (!valid)
            {
                skipped++;
                continue;
            }

            sources.Add(new SourceIntent(source!.Source, new IntentVersion(source.Counter, source.Origin), vips, source.DeletedAt));
        }

        var preferences = new List<PreferenceIntent>();
        foreach (var p in document.Preferences ?? [])
        {
            if (p is null)
            {
                skipped++;
                continue;
            }

            preferences.Add(new PreferenceIntent(p.Vip, p.Node, new IntentVersion(p.Counter, p.Origin), p.ClearedAt));
        }

        return new IntentSnapshot(document.Clock, sources, preferences);
    }
}
