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
        return new ApiConfig { Socket = socket, Tcp = tcp, Tls = tls, MutatingGroup = group };
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
