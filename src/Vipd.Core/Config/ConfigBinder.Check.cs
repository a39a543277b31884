using Vipd.Core.Config.Toml;

namespace Vipd.Core.Config;

internal sealed partial class ConfigBinder
{
    private static readonly string[] CheckTypes = ["exec", "tcp", "http", "https", "interface", "file"];

    /// <summary>The keys that only some check types take, and which types.</summary>
    private static readonly (string Key, CheckType[] Types)[] TypeKeys =
    [
        ("command", [CheckType.Exec]),
        ("user", [CheckType.Exec]),
        ("address", [CheckType.Tcp]),
        ("url", [CheckType.Http, CheckType.Https]),
        ("expect_status", [CheckType.Http, CheckType.Https]),
        ("insecure_skip_verify", [CheckType.Https]),
        ("interface", [CheckType.Interface]),
        ("path", [CheckType.File]),
    ];

    /// <summary>Every check name seen (also of checks with errors), so VIPs that use them get no second error.</summary>
    private readonly Dictionary<string, SourcePosition> _checkNames = new(StringComparer.Ordinal);

    private List<CheckConfig> BindChecks(IReadOnlyList<TomlTableNode> tables)
    {
        var checks = new List<CheckConfig>();
        foreach (var table in tables)
        {
            if (BindCheck(new TableReader(table, "[[check]]", _errors)) is { } check)
            {
                checks.Add(check);
            }
        }

        return checks;
    }

    private CheckConfig? BindCheck(TableReader reader)
    {
        var errorsBefore = _errors.Count;
        var name = ValidName(reader, "name", reader.String("name", required: true), "check name");
        if (name is not null)
        {
            if (_checkNames.TryGetValue(name, out var first))
            {
                reader.Error(reader.PositionOf("name"), $"duplicate check name '{name}'; first defined at {first.Line}:{first.Column}");
            }
            else
            {
                _checkNames.Add(name, reader.PositionOf("name"));
            }
        }

        var type = CheckTypeOf(reader);
        var timingErrors = _errors.Count;
        var interval = Positive(reader, "interval") ?? ConfigDefaults.CheckInterval;
        var timeout = Positive(reader, "timeout") ?? interval;
        if (_errors.Count == timingErrors && timeout > interval)
        {
            reader.Error(Blame(reader, "timeout", "interval"), $"timeout ({Duration.Format(timeout)}) must not exceed interval ({Duration.Format(interval)})");
        }

        var rise = reader.Integer("rise", 1, 100) ?? ConfigDefaults.CheckRise;
        var fall = reader.Integer("fall", 1, 100) ?? ConfigDefaults.CheckFall;
        var weight = reader.Integer("weight", -ConfigDefaults.MaxCheckWeight, ConfigDefaults.MaxCheckWeight) ?? ConfigDefaults.CheckWeight;

        var check = new CheckConfig
        {
            Name = name ?? string.Empty,
            Type = type ?? CheckType.Exec,
            Interval = interval,
            Timeout = timeout,
            Rise = rise,
            Fall = fall,
            Weight = weight,
            ExpectStatus = ConfigDefaults.ExpectStatus,
        };

        if (type is { } t)
        {
            foreach (var (key, types) in TypeKeys)
            {
                if (!types.Contains(t) && reader.Has(key))
                {
                    reader.Known(key);
                    reader.Error(reader.Table.TryGet(key, out var entry) ? entry.KeyPosition : reader.Position,
                        $"'{key}' does not apply to a check of type '{CheckTypes[(int)t]}'");
                }
            }

            check = t switch
            {
                CheckType.Exec => BindExec(reader, check),
                CheckType.Tcp => BindTcp(reader, check),
                CheckType.Http or CheckType.Https => BindHttp(reader, check, t),
                CheckType.Interface => check with { Interface = RequiredInterface(reader) },
                _ => check with { Path = AbsolutePath(reader, "path") },
            };
        }
        else
        {
            reader.Known([.. TypeKeys.Select(k => k.Key)]);
        }

        reader.ReportUnknownKeys();
        return _errors.Count == errorsBefore ? check : null;
    }

    private static CheckType? CheckTypeOf(TableReader reader)
    {
        var text = reader.String("type", required: true);
        if (text is null)
        {
            return null;
        }

        var index = Array.IndexOf(CheckTypes, text);
        if (index < 0)
        {
            reader.Error(reader.PositionOf("type"), $"unknown check type '{text}'; use exec, tcp, http, https, interface or file{KeySuggester.Hint(text, CheckTypes)}");
            return null;
        }

        return (CheckType)index;
    }

    private CheckConfig BindExec(TableReader reader, CheckConfig check)
    {
        var command = reader.Strings("command", required: true);
        var user = reader.String("user");
        if (command is { Count: 0 })
        {
            reader.Error(reader.PositionOf("command"), "'command' must hold the program and its arguments, such as [\"/usr/bin/pgrep\", \"-x\", \"nginx\"]");
        }
        else if (command is not null && !command[0].Value.StartsWith('/'))
        {
            reader.Error(command[0].Position, $"'{command[0].Value}' must be an absolute path (commands run without a shell or PATH)");
        }
        else if (command is not null)
        {
            RequireFile(reader, "command", command[0].Value, "command");
        }

        return check with { Command = new(command?.Select(c => c.Value) ?? []), User = user };
    }

    private static CheckConfig BindTcp(TableReader reader, CheckConfig check)
    {
        var text = reader.String("address", required: true);
        if (text is null)
        {
            return check;
        }

        if (!AddressParser.TryParseHostPort(text, out var target))
        {
            reader.Error(reader.PositionOf("address"), $"invalid tcp check address '{text}'; expected \"host:port\" such as \"127.0.0.1:443\"");
            return check;
        }

        return check with { Target = target };
    }

    private static CheckConfig BindHttp(TableReader reader, CheckConfig check, CheckType type)
    {
        var text = reader.String("url", required: true);
        var status = reader.Integer("expect_status", 100, 599) ?? ConfigDefaults.ExpectStatus;
        var insecure = reader.Boolean("insecure_skip_verify") ?? ConfigDefaults.InsecureSkipVerify;
        Uri? url = null;
        var scheme = type == CheckType.Https ? "https" : "http";
        if (text is not null)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
            {
                reader.Error(reader.PositionOf("url"), $"invalid url '{text}'; expected an absolute {scheme}:// URL");
            }
            else if (parsed.Scheme != scheme)
            {
                reader.Error(reader.PositionOf("url"), $"url '{text}' is {parsed.Scheme}, but the check type is '{scheme}'");
            }
            else
            {
                url = parsed;
            }
        }

        return check with { Url = url, ExpectStatus = status, InsecureSkipVerify = insecure };
    }

    private static string? RequiredInterface(TableReader reader)
    {
        var name = Interface(reader, "interface");
        if (name is null && !reader.Has("interface"))
        {
            reader.Error(reader.Position, "missing required key 'interface' in [[check]]");
        }

        return name;
    }

    private static string? AbsolutePath(TableReader reader, string key)
    {
        var path = reader.String(key, required: true);
        if (path is not null && !path.StartsWith('/'))
        {
            reader.Error(reader.PositionOf(key), $"'{key}' must be an absolute path, found '{path}'");
            return null;
        }

        return path;
    }
}
