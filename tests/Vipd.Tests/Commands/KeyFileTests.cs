using Vipd.Commands;
using Vipd.Hosting;
using Vipd.Linux.Files;

namespace Vipd.Tests.Commands;

/// <summary>The key file's permission rule (<see cref="KeyFilePermissions"/>) and <c>vipd keygen --output</c>.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class KeyFileTests : IDisposable
{
    private const uint VipdGid = 990;
    private const uint VipdUid = 991;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("vipd-keyfile-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData(0u, 0u, 0b110_000_000, 0u)] // 0600 root:root, vipd run by root
    [InlineData(0u, VipdGid, 0b110_100_000, VipdUid)] // 0640 root:vipd, the packaged unit
    [InlineData(0u, 0u, 0b100_000_000, VipdUid)] // 0400
    [InlineData(VipdUid, VipdGid, 0b100_000_000, VipdUid)] // a systemd credential: 0400, owned by the service user
    [InlineData(0u, 0u, 0b110_100_000, 0u)] // 0640 root:root
    public void Check_OwnerOnlyOrRootVipdGroupRead_Allowed(uint uid, uint gid, int mode, uint effectiveUid) =>
        Assert.Null(KeyFilePermissions.Check("/etc/vipd/cluster.key", new FileOwner(uid, gid, mode), effectiveUid, VipdGid));

    [Theory]
    [InlineData(0u, 0u, 0b110_100_100, "mode 0644 and others can read it")]
    [InlineData(0u, VipdGid, 0b110_110_000, "mode 0660 and group or others can write it")]
    [InlineData(0u, 0u, 0b110_000_010, "mode 0602 and group or others can write it")]
    [InlineData(0u, 0u, 0b110_000_001, "mode 0601 and others can read it")]
    [InlineData(0u, 100u, 0b110_100_000, "mode 0640 and its group (gid 100) can read it and is neither root nor vipd")]
    [InlineData(1000u, 0u, 0b110_000_000, "mode 0600 and it is owned by uid 1000, neither root nor the user vipd runs as (uid 0)")]
    public void Check_OthersCanReadOrWrite_RefusedNamingFileAndFix(uint uid, uint gid, int mode, string why)
    {
        var error = KeyFilePermissions.Check("/etc/vipd/cluster.key", new FileOwner(uid, gid, mode), 0, VipdGid);

        Assert.Equal(
            $"key file /etc/vipd/cluster.key is {why}: run `chmod 600 /etc/vipd/cluster.key` (root or the user vipd runs as owning it), "
            + "or `chown root:vipd /etc/vipd/cluster.key && chmod 640 /etc/vipd/cluster.key` for the packaged unit",
            error);
    }

    [Fact]
    public void Check_RealFileWorldReadable_Refused()
    {
        var path = Path.Combine(_folder.FullName, "cluster.key");
        File.WriteAllText(path, "k\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Assert.Contains("mode 0644 and others can read it", KeyFilePermissions.Check(path), StringComparison.Ordinal);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Null(KeyFilePermissions.Check(path));
        Assert.Contains("cannot stat", KeyFilePermissions.Check(path + ".missing"), StringComparison.Ordinal);
    }

    [Fact]
    public void Keygen_Output_Writes0600AndRefusesToOverwriteWithoutForce()
    {
        var path = Path.Combine(_folder.FullName, "cluster.key");
        using var output = new StringWriter();
        using var errors = new StringWriter();

        Assert.Equal(ExitCodes.Ok, KeygenCommand.Run(path, force: false, output, errors));
        var first = File.ReadAllText(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(32, Convert.FromBase64String(first.TrimEnd('\n')).Length);
        Assert.Null(KeyFilePermissions.Check(path));

        Assert.Equal(ExitCodes.Usage, KeygenCommand.Run(path, force: false, output, errors));
        Assert.Contains($"{path} exists", errors.ToString(), StringComparison.Ordinal);
        Assert.Equal(first, File.ReadAllText(path));

        Assert.Equal(ExitCodes.Ok, KeygenCommand.Run(path, force: true, output, errors));
        Assert.NotEqual(first, File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["cluster.key"], _folder.GetFiles().Select(f => f.Name));
    }

    [Fact]
    public void Keygen_NoOutput_PrintsTheKey()
    {
        using var output = new StringWriter();

        Assert.Equal(ExitCodes.Ok, KeygenCommand.Run(null, force: false, output, TextWriter.Null));

        Assert.Equal(32, Convert.FromBase64String(output.ToString().Trim()).Length);
    }
}
