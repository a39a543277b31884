using System.Net;
using Microsoft.Extensions.Logging;

namespace Vipd.Core.Config;

internal sealed partial class ConfigBinder
{
    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    private const int MaxSocketPath = 107;

    private ApiConfig? BindApi(TableReader? reader)
    {
        if (reader is null)
        {
            return null;
        }

        var socket = reader.String("socket") ?? ConfigDefaults.ApiSocket;
        if (reader.Has("socket") && (!socket.StartsWith('/') || System.Text.Encoding.UTF8.GetByteCount(socket) > MaxSocketPath))
        {
            reader.Error(reader.PositionOf("socket"), $"socket '{socket}' must be an absolute path of at most {MaxSocketPath} bytes");
        }

        IPEndPoint? tcp = null;
        if (reader.String("tcp") is { } tcpText)
        {
            if (AddressParser.TryParseEndPoint(tcpText, defaultPort: null, out var endPoint))
            {
                tcp = endPoint;
            }
            else
            {
                reader.Error(reader.PositionOf("tcp"), $"invalid tcp address '{tcpText}'; expected \"ip:port\" such as \"127.0.0.1:7451\"");
            }
        }

        var cert = ApiFile(reader, "tls_cert", "TLS certificate");
        var key = ApiFile(reader, "tls_key", "TLS key");
        var clientCa = ApiFile(reader, "tls_client_ca", "TLS client CA");
        var group = reader.String("mutating_group");
        var prefixes = VipPrefixes(reader);
        var interfaces = VipInterfaces(reader);
        reader.ReportUnknownKeys();

        if (cert is null != key is null)
        {
            var (present, missing) = cert is null ? ("tls_key", "tls_cert") : ("tls_cert", "tls_key");
            reader.Error(reader.PositionOf(present), $"{present} requires {missing}");
        }

        if (clientCa is not null && cert is null)
        {
            reader.Error(reader.PositionOf("tls_client_ca"), "tls_client_ca requires tls_cert and tls_key");
        }

        if (cert is not null && !reader.Has("tcp"))
        {
            reader.Error(reader.PositionOf("tls_cert"), "tls_cert applies only to the tcp listener; set tcp as well");
        }

        if (tcp is not null && cert is null && !IPAddress.IsLoopback(tcp.Address))
        {
            reader.Error(reader.PositionOf("tcp"), $"tcp address '{tcp}' is not loopback; set tls_cert and tls_key (the API can move VIPs)");
        }

        if (group is not null && !group.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            reader.Error(reader.PositionOf("mutating_group"), $"invalid group name '{group}'");
        }

        var tls = cert is not null && key is not null ? new TlsConfig { CertificateFile = cert, KeyFile = key, ClientCaFile = clientCa } : null;
        return new ApiConfig
        {
            Socket = socket,
            Tcp = tcp,
            Tls = tls,
            MutatingGroup = group,
            VipPrefixes = new(prefixes),
            VipInterfaces = new(interfaces),
        };
    }

    /// <summary><c>vip_prefixes</c>: networks without host bits, each listed once.</summary>
    private static List<IPNetwork> VipPrefixes(TableReader reader)
    {
        var result = new List<IPNetwork>();
        foreach (var (text, position) in reader.Strings("vip_prefixes") ?? [])
        {
            if (!AddressParser.TryParseCidr(text, out var address, out var length, out var error))
            {
                reader.Error(position, $"vip_prefixes: {error}");
                continue;
            }

            var network = new IPNetwork(Mask(address, length), length);
            if (!network.BaseAddress.Equals(address))
            {
                reader.Error(position, $"vip_prefixes: '{text}' has host bits set; write the network, \"{network}\"");
            }
            else if (AddressParser.IsUnusable(address) && length == 0)
            {
                reader.Error(position, $"vip_prefixes: '{text}' allows every address; list the prefixes dynamic VIPs may use");
            }
            else if (result.Contains(network))
            {
                reader.Error(position, $"vip_prefixes: '{text}' is listed twice");
            }
            else
            {
                result.Add(network);
            }
        }

        return result;
    }

    /// <summary><c>vip_interfaces</c>: valid interface names, each listed once; an empty list is refused.</summary>
    private static List<string> VipInterfaces(TableReader reader)
    {
        var result = new List<string>();
        var list = reader.Strings("vip_interfaces");
        foreach (var (name, position) in list ?? [])
        {
            if (!Names.IsValidInterface(name))
            {
                reader.Error(position, $"vip_interfaces: invalid interface name '{name}'; Linux names are 1 to 15 characters without '/', ':' or spaces");
            }
            else if (result.Contains(name))
            {
                reader.Error(position, $"vip_interfaces: '{name}' is listed twice");
            }
            else
            {
                result.Add(name);
            }
        }

        if (list is { Count: 0 })
        {
            reader.Error(reader.PositionOf("vip_interfaces"), "'vip_interfaces' is empty; leave it out to allow [node] interface and the interfaces of the [[vip]] tables");
        }

        return result;
    }

    /// <summary><paramref name="address"/> with every bit after the first <paramref name="length"/> cleared.</summary>
    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(length - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    private string? ApiFile(TableReader reader, string key, string what)
    {
        if (reader.String(key) is not { } path)
        {
            return null;
        }

        path = ResolvePath(path);
        RequireFile(reader, key, path, what);
        return path;
    }

    private static MetricsConfig? BindMetrics(TableReader? reader)
    {
        if (reader is null)
        {
            return null;
        }

        IPEndPoint? address = null;
        if (reader.String("address") is { } text)
        {
            if (AddressParser.TryParseEndPoint(text, defaultPort: null, out var endPoint))
            {
                address = endPoint;
            }
            else
            {
                reader.Error(reader.PositionOf("address"), $"invalid metrics address '{text}'; expected \"ip:port\" such as \"127.0.0.1:9475\"");
            }
        }

        reader.ReportUnknownKeys();
        return new MetricsConfig { Address = address };
    }

    private static LoggingConfig? BindLogging(TableReader? reader)
    {
        if (reader is null)
        {
            return null;
        }

        var level = ConfigDefaults.LogLevel;
        if (reader.String("level") is { } levelText)
        {
            LogLevel? parsed = levelText switch
            {
                "trace" => LogLevel.Trace,
                "debug" => LogLevel.Debug,
                "info" or "information" => LogLevel.Information,
                "warning" or "warn" => LogLevel.Warning,
                "error" => LogLevel.Error,
                "critical" => LogLevel.Critical,
                _ => null,
            };
            if (parsed is null)
            {
                reader.Error(reader.PositionOf("level"), $"unknown log level '{levelText}'; use trace, debug, info, warning, error or critical");
            }

            level = parsed ?? level;
        }

        var format = ConfigDefaults.LogFormat;
        switch (reader.String("format"))
        {
            case null or "console":
                break;
            case "json":
                format = LogFormat.Json;
                break;
            case var other:
                reader.Error(reader.PositionOf("format"), $"unknown log format '{other}'; use \"console\" or \"json\"");
                break;
        }

        reader.ReportUnknownKeys();
        return new LoggingConfig { Level = level, Format = format };
    }
}
