using System.Net.Sockets;
using Vipd.Api;

namespace Vipd.Tests.Api;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnixSocketFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vipd-api-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Prepare_MissingFolder_Created()
    {
        var path = Path.Combine(_directory, "run", "vipd", "vipd.sock");

        UnixSocketFile.Prepare(path);

        Assert.True(Directory.Exists(Path.GetDirectoryName(path)));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Prepare_StaleSocket_Removed()
    {
        var path = Path.Combine(_directory, "vipd.sock");
        using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET unlinks a socket it bound when disposed; a crashed process does not: move it out of .NET's sight.
            var bound = Path.Combine(_directory, "crashed.sock");
            listener.Bind(new UnixDomainSocketEndPoint(bound));
            File.Move(bound, path);
        }

        Assert.True(File.Exists(path));

        UnixSocketFile.Prepare(path);

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Prepare_SocketServedByAnotherProcess_Refused()
    {
        var path = Path.Combine(_directory, "vipd.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();

        var error = Assert.Throws<IOException>(() => UnixSocketFile.Prepare(path));

        Assert.Contains("another process", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Prepare_RegularFileWithContent_Refused()
    {
        var path = Path.Combine(_directory, "vipd.sock");
        File.WriteAllText(path, "not a socket");

        Assert.Throws<IOException>(() => UnixSocketFile.Prepare(path));
        Assert.Equal("not a socket", File.ReadAllText(path));
    }

    [Fact]
    public void Secure_Socket_Mode0660()
    {
        var path = Path.Combine(_directory, "vipd.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));

        Assert.Null(UnixSocketFile.Secure(path, null));

        Assert.Equal(UnixSocketFile.SocketMode, File.GetUnixFileMode(path));
    }
}
