using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Vipd.Api.V1;
using Vipd.Lab.Daemon;
using Xunit.Abstractions;

namespace Vipd.Lab.Tests.Api;

/// <summary>
/// Seeded fuzzing of a running daemon's gRPC API: every vipd.v1 method with random field values (strings with control
/// characters, invalid UTF-16 surrogates, huge and empty values, out-of-range enums, durations and repeated fields), and
/// with mutated request bytes. The daemon must answer every call with OK or a client error, never Internal, Unknown or
/// Unavailable, and still serve afterwards. 3,000 calls in CI; the big run by hand:
/// <c>VIPD_API_FUZZ_REQUESTS=100000 VIPD_SEED=7 dotnet test tests/Vipd.Lab.Tests -c Release --filter ApiFuzz</c>.
/// </summary>
public sealed class ApiFuzzLabTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    private static readonly HashSet<StatusCode> ClientErrors =
    [
        StatusCode.OK, StatusCode.InvalidArgument, StatusCode.FailedPrecondition, StatusCode.NotFound,
        StatusCode.OutOfRange, StatusCode.AlreadyExists, StatusCode.ResourceExhausted, StatusCode.Aborted,
    ];

    private static int Requests =>
        Environment.GetEnvironmentVariable("VIPD_API_FUZZ_REQUESTS") is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : 3_000;

    private static int Seed => Environment.GetEnvironmentVariable("VIPD_SEED") is { Length: > 0 } text
        ? int.Parse(text, CultureInfo.InvariantCulture) : 20261206;

    [Fact]
    public async Task EveryMethod_RandomFieldsAndMutatedBytes_ClientErrorsOnlyAndStillServing()
    {
        await using var lab = await LabNetwork.CreateAsync(1);
        await using var cluster = await VipdCluster.StartAsync(lab, VipdBinary.Find());
        var node = lab.Nodes[0];
        await cluster.WaitForSingleHolderAsync(LabNetwork.Vip4, Settle);
        using var client = await ApiClient.ConnectAsync(cluster, node, Settle);
        var invoker = client.Invoker;
        var methods = VipdReflection.Descriptor.Services.Single(s => s.Name == "VipdService").Methods;
        var random = new Random(Seed);
        var codes = new Dictionary<string, int>(StringComparer.Ordinal);
        var started = DateTime.UtcNow;

        for (var i = 0; i < Requests; i++)
        {
            var method = methods[random.Next(methods.Count)];
            var request = RandomMessage(method.InputType, random, depth: 0);
            var bytes = request.ToByteArray();
            if (random.Next(4) == 0)
            {
                bytes = Mutate(bytes, random);
            }

            var (code, detail) = await CallAsync(invoker, method, bytes);
            var key = $"{method.Name} {code}";
            codes[key] = codes.GetValueOrDefault(key) + 1;
            var streamingTimeout = code == StatusCode.DeadlineExceeded && (method.IsServerStreaming || method.Name is "Drain" or "SetMaintenance");
            Assert.True(ClientErrors.Contains(code) || streamingTimeout, $"seed {Seed}, call {i}: {method.Name}({Hex(bytes)}) answered {code} ({detail}){Environment.NewLine}{Tail(cluster.Logs())}");
            if (method.Name is "Drain" or "SetMaintenance")
            {
                // Put the node back into service, so later calls see an active node too.
                await client.Service.UndrainAsync(new UndrainRequest());
                await client.Service.SetMaintenanceAsync(new SetMaintenanceRequest { Enabled = false });
            }
        }

        var elapsed = DateTime.UtcNow - started;
        foreach (var (key, count) in codes.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{key}: {count}");
        }

        output.WriteLine($"{Requests} calls in {elapsed.TotalSeconds:F1} s (seed {Seed})");
        Assert.False(cluster.Process(node).HasExited, cluster.Logs());
        var status = await client.Service.GetStatusAsync(new GetStatusRequest());
        Assert.Equal(node.Name, status.Node);
        Assert.True(codes.Keys.Count(k => k.EndsWith(" OK", StringComparison.Ordinal)) > 3, "hardly any call succeeded: the fuzzer does not reach the handlers");
        Assert.True(codes.Keys.Count(k => k.EndsWith(" InvalidArgument", StringComparison.Ordinal)) > 1, "no call was refused as invalid: the fuzzer is too tame");
    }

    private static string Hex(byte[] bytes) => bytes.Length <= 64 ? Convert.ToHexString(bytes) : $"{Convert.ToHexString(bytes, 0, 64)}... ({bytes.Length} bytes)";

    private static string Tail(string logs) => logs.Length <= 4000 ? logs : logs[^4000..];

    private static async Task<(StatusCode Code, string Detail)> CallAsync(CallInvoker invoker, MethodDescriptor method, byte[] bytes)
    {
        var marshaller = Marshallers.Create<byte[]>(b => b, b => b);
        var type = method.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary;
        var grpcMethod = new Method<byte[], byte[]>(type, method.Service.FullName, method.Name, marshaller, marshaller);
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(method.IsServerStreaming ? 0.2 : 3));
        try
        {
            if (method.IsServerStreaming)
            {
                using var call = invoker.AsyncServerStreamingCall(grpcMethod, null, options, bytes);
                await call.ResponseStream.MoveNext(CancellationToken.None);
            }
            else
            {
                await invoker.AsyncUnaryCall(grpcMethod, null, options, bytes);
            }

            return (StatusCode.OK, string.Empty);
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Status.Detail);
        }
    }

    private static IMessage RandomMessage(MessageDescriptor descriptor, Random random, int depth)
    {
        var message = descriptor.Parser.ParseFrom(ByteString.Empty);
        if (depth > 3)
        {
            return message;
        }

        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            if (random.Next(3) == 0)
            {
                continue; // left unset
            }

            if (field.IsMap)
            {
                continue;
            }

            if (field.IsRepeated)
            {
                var list = (System.Collections.IList)field.Accessor.GetValue(message);
                var count = random.Next(10) == 0 ? random.Next(50, 300) : random.Next(4);
                for (var n = 0; n < count; n++)
                {
                    list.Add(RandomValue(field, random, depth));
                }
            }
            else
            {
                field.Accessor.SetValue(message, RandomValue(field, random, depth));
            }
        }

        return message;
    }

    private static object RandomValue(FieldDescriptor field, Random random, int depth) => field.FieldType switch
    {
        FieldType.String => RandomString(random),
        FieldType.Bool => random.Next(2) == 0,
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => random.Next(4) switch { 0 => 0, 1 => int.MaxValue, 2 => int.MinValue, _ => random.Next(-5, 300) },
        FieldType.UInt32 or FieldType.Fixed32 => random.Next(3) switch { 0 => 0u, 1 => uint.MaxValue, _ => (uint)random.Next(0, 300) },
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => random.Next(3) switch { 0 => 0L, 1 => long.MaxValue, _ => long.MinValue },
        FieldType.UInt64 or FieldType.Fixed64 => random.Next(2) == 0 ? ulong.MaxValue : (ulong)random.Next(),
        FieldType.Double => random.Next(3) switch { 0 => double.NaN, 1 => double.PositiveInfinity, _ => random.NextDouble() * 1e9 },
        FieldType.Float => random.Next(2) == 0 ? float.NaN : (float)random.NextDouble(),
        FieldType.Bytes => ByteString.CopyFrom(RandomBytes(random, random.Next(64))),
        FieldType.Enum => random.Next(3) == 0 ? random.Next(-3, 1000) : field.EnumType.Values[random.Next(field.EnumType.Values.Count)].Number,
        FieldType.Message => RandomMessage(field.MessageType, random, depth + 1),
        _ => throw new NotSupportedException(field.FieldType.ToString()),
    };

    private static readonly string[] Interesting =
    [
        string.Empty, "web", "192.0.2.200/24", "2001:db8::200/64", "198.51.100.7/32", "eth0", "n1", "0.0.0.0/0", "::/0",
        "192.0.2.11/24", "203.0.113.255/24", "224.0.0.1/32", "127.0.0.1/8", "fe80::1/64", "192.0.2.200/33", "1.2.3.4",
        "web\nFORGED log line", "\u001b[31mred", "a:b", "../../etc/passwd", new string('x', 5000), "\ud800", "é名前",
    ];

    private static string RandomString(Random random)
    {
        if (random.Next(2) == 0)
        {
            return Interesting[random.Next(Interesting.Length)];
        }

        var builder = new StringBuilder();
        var length = random.Next(10) == 0 ? random.Next(200, 3000) : random.Next(12);
        for (var i = 0; i < length; i++)
        {
            builder.Append(random.Next(5) switch
            {
                0 => (char)random.Next(0, 32),
                1 => (char)random.Next(0x80, 0xFFFF),
                _ => "abcxyz0123456789./:-_"[random.Next(21)],
            });
        }

        return builder.ToString();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(byte[] bytes, Random random)
    {
        var list = bytes.ToList();
        var count = 1 + random.Next(4);
        for (var n = 0; n < count; n++)
        {
            var at = list.Count == 0 ? 0 : random.Next(list.Count);
            switch (random.Next(3))
            {
                case 0 when list.Count > 0:
                    list.RemoveAt(at);
                    break;
                case 1:
                    list.Insert(at, (byte)random.Next(256));
                    break;
                default:
                    if (list.Count > 0)
                    {
                        list[at] = (byte)random.Next(256);
                    }

                    break;
            }
        }

        return [.. list];
    }
}
