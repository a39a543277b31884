using System.Security.Cryptography;

namespace Vipd.Core.Crypto;

/// <summary>
/// The cluster keys: 32-byte AES-256-GCM keys, base64, one per line, <c>#</c> starts a comment. The first key is
/// the primary (seals every datagram); every key opens. Rotate by adding the new key second, then making it first
/// on every node, then removing the old one.
/// </summary>
public sealed class Keyring
{
    /// <summary>Length of each key in bytes.</summary>
    public const int KeySize = 32;

    private readonly byte[][] _keys;

    private Keyring(byte[][] keys)
    {
        _keys = keys;
        KeyIds = [.. keys.Select(ComputeKeyId)];
    }

    /// <summary>How many keys the ring holds (at least one).</summary>
    public int Count => _keys.Length;

    /// <summary>
    /// A 1-byte id per key (the first byte of its SHA-256), sent in clear to pick the key to open with; two keys of a ring
    /// may share one (the opener then tries both).
    /// </summary>
    internal IReadOnlyList<byte> KeyIds { get; }

    /// <summary>The key at <paramref name="index"/>; 0 is the primary.</summary>
    internal ReadOnlySpan<byte> GetKey(int index) => _keys[index];

    /// <summary>Builds a ring from raw keys, primary first.</summary>
    public static Keyring FromKeys(IEnumerable<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var list = keys.Select(k => k.Length == KeySize
            ? (byte[])k.Clone()
            : throw new ArgumentException($"Every key must be {KeySize} bytes.", nameof(keys))).ToArray();
        return list.Length == 0 ? throw new ArgumentException("A keyring needs at least one key.", nameof(keys)) : new Keyring(list);
    }

    /// <summary>Parses key-file text. Throws <see cref="KeyringFormatException"/> listing every bad line.</summary>
    /// <param name="text">The file content.</param>
    /// <param name="sourceName">The file name for error messages.</param>
    public static Keyring Parse(string text, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var keys = new List<byte[]>();
        var errors = new List<string>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var hash = rawLine.IndexOf('#', StringComparison.Ordinal);
            var line = (hash >= 0 ? rawLine[..hash] : rawLine).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var buffer = new byte[(line.Length * 3 / 4) + 3];
            if (!Convert.TryFromBase64String(line, buffer, out var length))
            {
                errors.Add($"{sourceName}:{lineNumber}: not valid base64");
            }
            else if (length != KeySize)
            {
                errors.Add($"{sourceName}:{lineNumber}: key is {length} bytes, expected {KeySize}");
            }
            else if (keys.Exists(k => k.AsSpan().SequenceEqual(buffer.AsSpan(0, KeySize))))
            {
                errors.Add($"{sourceName}:{lineNumber}: duplicate key");
            }
            else
            {
                keys.Add(buffer[..KeySize]);
            }
        }

        if (errors.Count == 0 && keys.Count == 0)
        {
            errors.Add($"{sourceName}:1: no key (expected base64 32-byte keys, one per line; `vipd keygen` makes one)");
        }

        return errors.Count > 0 ? throw new KeyringFormatException(errors) : new Keyring([.. keys]);
    }

    /// <summary>Reads and parses a key file.</summary>
    public static Keyring Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>A new random key, base64, as one key-file line.</summary>
    public static string GenerateKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeySize));

    private static byte ComputeKeyId(byte[] key) => SHA256.HashData(key)[0];
}
