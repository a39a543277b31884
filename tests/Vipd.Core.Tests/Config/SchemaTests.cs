using System.Text.RegularExpressions;
using Vipd.Core.Config;

namespace Vipd.Core.Tests.Config;

public class SchemaTests
{
    private static string ManPage => File.ReadAllText(Path.Combine(RepoPaths.Root, "packaging", "man", "vipd.toml.5.md"));

    public static TheoryData<string, string> SchemaKeys()
    {
        var data = new TheoryData<string, string>();
        foreach (var (table, keys) in ConfigSchema.Tables)
        {
            foreach (var key in keys)
            {
                data.Add(table, key);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SchemaKeys))]
    public void ManPage_EverySchemaKey_DocumentedInItsTable(string table, string key)
    {
        var section = Section(ManPage, table);

        Assert.Contains($"| `{key}` |", section, StringComparison.Ordinal);
    }

    [Fact]
    public void ManPage_EveryDocumentedKey_InTheSchema()
    {
        foreach (var (table, keys) in ConfigSchema.Tables)
        {
            var documented = Regex.Matches(Section(ManPage, table), @"^\| `([a-z_]+)` \|", RegexOptions.Multiline).Select(m => m.Groups[1].Value);

            Assert.All(documented, key => Assert.Contains(key, keys));
        }
    }

    [Theory]
    [MemberData(nameof(SchemaKeys))]
    public void Parse_EverySchemaKey_AcceptedInItsTable(string table, string key)
    {
        // A key the binder does not read would be reported as unknown: parse a config holding only that key with a
        // value of the wrong type, and expect a type error about the key rather than "unknown key".
        var result = ConfigLoader.Parse(ConfigWith(table, key), "s.toml", new ConfigLoadOptions { CheckFiles = false, HostName = "h" });

        Assert.DoesNotContain(result.Errors, e => e.Message.Contains($"unknown key '{key}'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Message.Contains($"'{key}'", StringComparison.Ordinal));
    }

    private static string ConfigWith(string table, string key)
    {
        const string Base = "[node]\naddress = \"192.0.2.11\"\ninterface = \"eth0\"\n[cluster]\nkey_file = \"/k\"\n";
        var bad = key is "priorities" or "announce" or "notify" ? $"{key} = 1\n" : $"{key} = {{ wrong = {{}} }}\n";
        return table switch
        {
            "[node]" => $"[node]\n{(key == "address" ? string.Empty : "address = \"192.0.2.11\"\n")}{bad}[cluster]\nkey_file = \"/k\"\n",
            "[cluster]" => $"[node]\naddress = \"192.0.2.11\"\n[cluster]\n{(key == "key_file" ? string.Empty : "key_file = \"/k\"\n")}{bad}",
            "[[vip]]" => $"{Base}[[vip]]\n{bad}",
            "[vip.announce]" or "[vip.notify]" => $"{Base}[[vip]]\nname = \"v\"\naddress = \"192.0.2.200/24\"\n{table}\n{bad}",
            "[[check]]" => $"{Base}[[check]]\n{(key == "name" ? string.Empty : "name = \"c\"\n")}{(key == "type" ? string.Empty : $"type = \"{TypeFor(key)}\"\n")}{bad}",
            _ => $"{Base}{table}\n{bad}",
        };
    }

    private static string TypeFor(string key) => key switch
    {
        "command" or "user" => "exec",
        "address" => "tcp",
        "insecure_skip_verify" => "https",
        "url" or "expect_status" => "http",
        "interface" => "interface",
        _ => "file",
    };

    private static string Section(string text, string table)
    {
        var start = text.IndexOf($"\n## {table}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {table}");
        var end = text.IndexOf("\n#", start + table.Length + 5, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }
}
