namespace Vipd.Core.Config;

internal sealed partial class ConfigBinder
{
    private NodeConfig? BindNode(TableReader? reader)
    {
        if (reader is null)
        {
            return null;
        }

        var name = reader.Has("name")
            ? ValidName(reader, "name", reader.String("name"), "node name")
            : DefaultNodeName(reader);
        var addressText = reader.String("address", required: true);
        var port = reader.Integer("port", 1, 65535) ?? ConfigDefaults.Port;
        var iface = Interface(reader, "interface");
        var stateDirectory = reader.String("state_dir") is { } stateText ? ResolvePath(stateText) : ConfigDefaults.StateDirectory;
        reader.ReportUnknownKeys();

        System.Net.IPAddress? address = null;
        if (addressText is not null)
        {
            if (!AddressParser.TryParseAddress(addressText, out var parsed))
            {
                reader.Error(reader.PositionOf("address"), $"invalid address '{addressText}' in [node]; expected an IPv4 or IPv6 address without a prefix");
            }
            else if (AddressParser.IsUnusable(parsed))
            {
                reader.Error(reader.PositionOf("address"), $"[node] address '{addressText}' cannot be reached by peers; use this node's own unicast address");
            }
            else
            {
                address = parsed;
            }
        }

        if (name is null || address is null)
        {
            return null;
        }

        return new NodeConfig { Name = name, Address = address, Port = port, Interface = iface, StateDirectory = stateDirectory };
    }

    private string? DefaultNodeName(TableReader reader)
    {
        var host = _options.HostName ?? Environment.MachineName;
        var shortName = host.Split('.')[0];
        if (!Names.IsValidName(shortName))
        {
            reader.Error(reader.Position, $"the host name '{host}' is not a valid node name; set [node] name ({Names.NameRule})");
            return null;
        }

        return shortName;
    }

    private static string? Interface(TableReader reader, string key)
    {
        var name = reader.String(key);
        if (name is not null && !Names.IsValidInterface(name))
        {
            reader.Error(reader.PositionOf(key), $"invalid interface name '{name}'; Linux names are 1 to 15 characters without '/', ':' or spaces");
            return null;
        }

        return name;
    }
}
