using System.Text.Json;
using Vipd.Lab.Daemon;

namespace Vipd.Lab.Tests.Api;

/// <summary>
/// The API from an independent client built only from the .proto file: Debian's protoc and gRPC Python plugin
/// generate the stubs, Debian's python3-grpcio calls the daemon over its Unix socket (<c>unix:///path</c>). Also
/// checks grpc.health.v1 and server reflection with hand-encoded requests, and the permission split with callers
/// that are not root (setpriv).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PythonClientLabTests
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private const string Script = """
        import json, sys
        import grpc
        sys.path.insert(0, sys.argv[1])
        from vipd.v1 import vipd_pb2 as pb, vipd_pb2_grpc as rpc

        channel = grpc.insecure_channel("unix://" + sys.argv[2])
        stub = rpc.VipdServiceStub(channel)
        out = {}
        status = stub.GetStatus(pb.GetStatusRequest(), timeout=10)
        out["node"] = status.node
        out["digest"] = status.config_digest
        out["mode"] = pb.NodeMode.Name(status.mode)
        out["vips"] = [{"name": v.name, "owner": v.owner, "state": pb.VipState.Name(v.state), "address": v.address}
                       for v in stub.ListVips(pb.ListVipsRequest(), timeout=10).vips]
        # grpc.health.v1.Health/Check with an empty request; SERVING is field 1 = 1.
        check = channel.unary_unary("/grpc.health.v1.Health/Check", request_serializer=None, response_deserializer=None)
        out["health"] = check(b"", timeout=10).hex()
        # Server reflection: list_services (field 7, empty string).
        reflect = channel.stream_stream("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", request_serializer=None, response_deserializer=None)
        out["reflection"] = b"".join(reflect(iter([b"\x3a\x00"]), timeout=10)).decode("latin-1")
        try:
            stub.Undrain(pb.UndrainRequest(), timeout=10)
            out["undrain"] = "OK"
        except grpc.RpcError as e:
            out["undrain"] = e.code().name
            out["undrain_detail"] = e.details()
        print(json.dumps(out))
        """;

    [Fact]
    public async Task PythonClient_FromProtoOnly_ReadsStatusVipsHealthAndReflection()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var node = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        (await ApiClient.ConnectAsync(cluster, node, Settle)).Dispose();
        var stubs = await GenerateStubsAsync(lab, cluster.Directory);

        var result = await RunAsync(lab, stubs, cluster.SocketPath(node), []);

        Assert.Equal(node.Name, result.GetProperty("node").GetString());
        Assert.StartsWith("sha256:", result.GetProperty("digest").GetString(), StringComparison.Ordinal);
        Assert.Equal("NODE_MODE_ACTIVE", result.GetProperty("mode").GetString());
        var vip = Assert.Single(result.GetProperty("vips").EnumerateArray());
        Assert.Equal("web", vip.GetProperty("name").GetString());
        Assert.Equal(node.Name, vip.GetProperty("owner").GetString());
        Assert.Equal("VIP_STATE_HOLDING", vip.GetProperty("state").GetString());
        Assert.Equal("0801", result.GetProperty("health").GetString());
        Assert.Contains("vipd.v1.VipdService", result.GetProperty("reflection").GetString(), StringComparison.Ordinal);
        Assert.Equal("OK", result.GetProperty("undrain").GetString()); // root may change state
    }

    [Fact]
    public async Task Permissions_NonRootCallers_ReadAlwaysMutateOnlyInMutatingGroup()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var options = new VipdClusterOptions { ApiExtra = "mutating_group = \"nogroup\"" };
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), options);
        var node = await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        (await ApiClient.ConnectAsync(cluster, node, Settle)).Dispose();
        var socket = cluster.SocketPath(node);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, File.GetUnixFileMode(socket));
        var stubs = await GenerateStubsAsync(lab, cluster.Directory);
        // Let the unprivileged callers reach the socket at all (the package gives it to group vipd instead).
        File.SetUnixFileMode(socket, File.GetUnixFileMode(socket) | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        File.SetUnixFileMode(stubs, (UnixFileMode)0x1ED); // 0755
        foreach (var directory in Directory.GetDirectories(stubs, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0x1ED);
        }

        foreach (var file in Directory.GetFiles(stubs, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, (UnixFileMode)0x1A4); // 0644
        }

        var outsider = await RunAsync(lab, stubs, socket, ["setpriv", "--reuid=65534", "--regid=54321", "--clear-groups"]);
        var member = await RunAsync(lab, stubs, socket, ["setpriv", "--reuid=65534", "--regid=54321", "--groups=65534"]);

        Assert.Equal(node.Name, outsider.GetProperty("node").GetString());
        Assert.Equal("PERMISSION_DENIED", outsider.GetProperty("undrain").GetString());
        Assert.Contains("nogroup", outsider.GetProperty("undrain_detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("uid 65534", outsider.GetProperty("undrain_detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("OK", member.GetProperty("undrain").GetString());
    }

    private const string TlsScript = """
        import json, sys
        import grpc
        sys.path.insert(0, sys.argv[1])
        from vipd.v1 import vipd_pb2 as pb, vipd_pb2_grpc as rpc

        target, ca, cert, key = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
        read = lambda p: open(p, "rb").read() if p != "-" else None
        creds = grpc.ssl_channel_credentials(root_certificates=read(ca), private_key=read(key), certificate_chain=read(cert))
        channel = grpc.secure_channel(target, creds, options=[("grpc.ssl_target_name_override", "vipd")])
        stub = rpc.VipdServiceStub(channel)
        out = {}
        try:
            out["node"] = stub.GetStatus(pb.GetStatusRequest(), timeout=10).node
            stub.Undrain(pb.UndrainRequest(), timeout=10)
            out["undrain"] = "OK"
        except grpc.RpcError as e:
            out["error"] = e.code().name
        print(json.dumps(out))
        """;

    [Fact]
    public async Task Tcp_TlsWithClientCertificates_OnlyCertificatesFromTheCaGetIn()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        var pki = Path.Combine(Path.GetTempPath(), $"{lab.Prefix}-pki");
        Directory.CreateDirectory(pki);
        try
        {
            await MakeCertificatesAsync(lab, pki);
            var node = lab.Nodes[0];
            var options = new VipdClusterOptions
            {
                ApiExtra = $"""
                    tcp = "{node.IPv4}:7451"
                    tls_cert = "{pki}/server.pem"
                    tls_key = "{pki}/server.key"
                    tls_client_ca = "{pki}/ca.pem"
                    """,
            };
            await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find(), options);
            await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
            (await ApiClient.ConnectAsync(cluster, node, Settle)).Dispose();
            var stubs = await GenerateStubsAsync(lab, cluster.Directory);
            await File.WriteAllTextAsync(Path.Combine(stubs, "tls.py"), TlsScript);
            var target = $"{node.IPv4}:7451";

            var trusted = await RunScriptAsync(lab, [Python, Path.Combine(stubs, "tls.py"), stubs, target, $"{pki}/ca.pem", $"{pki}/client.pem", $"{pki}/client.key"]);
            var stranger = await RunScriptAsync(lab, [Python, Path.Combine(stubs, "tls.py"), stubs, target, $"{pki}/ca.pem", $"{pki}/rogue.pem", $"{pki}/rogue.key"]);
            var anonymous = await RunScriptAsync(lab, [Python, Path.Combine(stubs, "tls.py"), stubs, target, $"{pki}/ca.pem", "-", "-"]);

            Assert.Equal(node.Name, trusted.GetProperty("node").GetString());
            Assert.Equal("OK", trusted.GetProperty("undrain").GetString());
            Assert.Equal("UNAVAILABLE", stranger.GetProperty("error").GetString());
            Assert.Equal("UNAVAILABLE", anonymous.GetProperty("error").GetString());
        }
        finally
        {
            Directory.Delete(pki, recursive: true);
        }
    }

    private static async Task MakeCertificatesAsync(LabNetwork lab, string pki)
    {
        string[][] steps =
        [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", $"{pki}/ca.key", "-out", $"{pki}/ca.pem", "-days", "2", "-subj", "/CN=vipd test CA"],
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", $"{pki}/rogue-ca.key", "-out", $"{pki}/rogue-ca.pem", "-days", "2", "-subj", "/CN=rogue CA"],
        ];
        foreach (var step in steps)
        {
            await OpenSslAsync(lab, step);
        }

        await IssueAsync(lab, pki, "server", "ca", "/CN=vipd", "subjectAltName=DNS:vipd\nextendedKeyUsage=serverAuth");
        await IssueAsync(lab, pki, "client", "ca", "/CN=ops", "extendedKeyUsage=clientAuth");
        await IssueAsync(lab, pki, "rogue", "rogue-ca", "/CN=ops", "extendedKeyUsage=clientAuth");
    }

    private static async Task IssueAsync(LabNetwork lab, string pki, string name, string ca, string subject, string extensions)
    {
        await File.WriteAllTextAsync($"{pki}/{name}.ext", extensions.Replace("\\n", "\n", StringComparison.Ordinal));
        await OpenSslAsync(lab, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", $"{pki}/{name}.key", "-out", $"{pki}/{name}.csr", "-subj", subject]);
        await OpenSslAsync(lab, ["x509", "-req", "-in", $"{pki}/{name}.csr", "-CA", $"{pki}/{ca}.pem", "-CAkey", $"{pki}/{ca}.key", "-CAcreateserial", "-out", $"{pki}/{name}.pem", "-days", "2", "-extfile", $"{pki}/{name}.ext"]);
    }

    private static async Task OpenSslAsync(LabNetwork lab, string[] args)
    {
        var result = await lab.Client.ExecAsync("openssl", args);
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', args)} failed: {result.StdErr}");
    }

    private static async Task<JsonElement> RunScriptAsync(LabNetwork lab, string[] command)
    {
        var run = await lab.Client.ExecAsync(command[0], command[1..]);
        Assert.True(run.ExitCode == 0, $"python client failed ({run.ExitCode}): {run.StdErr}{run.StdOut}");
        return JsonDocument.Parse(run.StdOut).RootElement.Clone();
    }

    private static async Task<string> GenerateStubsAsync(LabNetwork lab, string directory)
    {
        var stubs = Path.Combine(directory, "py");
        Directory.CreateDirectory(stubs);
        var protos = Path.Combine(RepositoryRoot(), "src", "Vipd.Api", "Protos");
        var wellKnown = Directory.GetDirectories("/usr/lib/python3/dist-packages/grpc_tools", "_proto").Single();
        var protoc = await lab.Client.ExecAsync("protoc", $"-I{protos}", $"-I{wellKnown}", $"--python_out={stubs}", $"--grpc_out={stubs}",
            "--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin", "vipd/v1/vipd.proto");
        Assert.True(protoc.ExitCode == 0, $"protoc failed: {protoc.StdErr}");
        await File.WriteAllTextAsync(Path.Combine(stubs, "client.py"), Script);
        return stubs;
    }

    private static async Task<JsonElement> RunAsync(LabNetwork lab, string stubs, string socket, string[] prefix)
    {
        string[] command = [.. prefix, Python, Path.Combine(stubs, "client.py"), stubs, socket];
        var run = await lab.Client.ExecAsync(command[0], command[1..]);
        Assert.True(run.ExitCode == 0, $"python client failed ({run.ExitCode}): {run.StdErr}{run.StdOut}");
        return JsonDocument.Parse(run.StdOut).RootElement.Clone();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "vipd.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("no vipd.sln above the test");
    }
}
