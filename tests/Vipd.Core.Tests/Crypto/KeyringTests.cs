using Vipd.Core.Crypto;

namespace Vipd.Core.Tests.Crypto;

public sealed class KeyringTests
{
    [Fact]
    public void Parse_CommentsAndBlankLines_FirstKeyIsPrimary()
    {
        var first = Keyring.GenerateKey();
        var second = Keyring.GenerateKey();
        var keyring = Keyring.Parse($"# cluster key\n\n{first}   # primary\r\n  {second}\n", "cluster.key");
        Assert.Equal(2, keyring.Count);
        Assert.True(keyring.GetKey(0).SequenceEqual(Convert.FromBase64String(first)));
        Assert.True(keyring.GetKey(1).SequenceEqual(Convert.FromBase64String(second)));
        // 1-byte key ids (format 2): the first byte of each key's SHA-256; two keys may share one.
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(keyring.GetKey(0).ToArray())[0], keyring.KeyIds[0]);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(keyring.GetKey(1).ToArray())[0], keyring.KeyIds[1]);
    }

    [Fact]
    public void Parse_BadLines_EveryErrorWithLineNumber()
    {
        var good = Keyring.GenerateKey();
        var text = $"{good}\nnot base64!\n# fine\n{Convert.ToBase64String(new byte[16])}\n{good}\n";
        var error = Assert.Throws<KeyringFormatException>(() => Keyring.Parse(text, "k.key"));
        Assert.Equal(
            ["k.key:2: not valid base64", "k.key:4: key is 16 bytes, expected 32", "k.key:5: duplicate key"],
            error.Errors);
    }

    [Fact]
    public void Parse_NoKey_Error()
    {
        var error = Assert.Throws<KeyringFormatException>(() => Keyring.Parse("# nothing\n", "empty.key"));
        Assert.StartsWith("empty.key:1: no key", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void GenerateKey_ThirtyTwoRandomBytes()
    {
        var a = Convert.FromBase64String(Keyring.GenerateKey());
        var b = Convert.FromBase64String(Keyring.GenerateKey());
        Assert.Equal(32, a.Length);
        Assert.False(a.AsSpan().SequenceEqual(b));
    }

    [Fact]
    public void Load_File_ParsesWithPathInErrors()
    {
        var path = Path.Combine(Path.GetTempPath(), $"vipd-keyring-{Guid.NewGuid():N}.key");
        try
        {
            File.WriteAllText(path, Keyring.GenerateKey() + "\n");
            Assert.Equal(1, Keyring.Load(path).Count);
            File.WriteAllText(path, "oops\n");
            var error = Assert.Throws<KeyringFormatException>(() => Keyring.Load(path));
            Assert.StartsWith($"{path}:1:", error.Errors[0], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FromKeys_WrongLength_Throws() =>
        Assert.Throws<ArgumentException>(() => Keyring.FromKeys([new byte[31]]));
}
