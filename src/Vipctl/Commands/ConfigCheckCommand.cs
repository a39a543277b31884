using System.CommandLine;
using System.Text.Json;
using Vipd.Core.Config;

namespace Vipctl.Commands;

/// <summary>
/// <c>vipctl config check FILE</c>: validates offline with vipd's own loader, so the output is <c>vipd check</c>'s:
/// every error as <c>FILE:LINE:COL: message</c> on stderr and exit 1, or <c>FILE: ok (...)</c> and exit 0.
/// </summary>
internal sealed class ConfigCheckCommand : VipctlCommand
{
    private readonly Argument<string> _file = new("FILE") { Description = "The config file, e.g. /etc/vipd/vipd.toml" };

    public ConfigCheckCommand(CliEnvironment environment, GlobalOptions options)
        : base("check", "Validate a config file offline, exactly as `vipd check` does (FILE:LINE:COL: message lines, exit 1)", environment, options)
    {
        Arguments.Add(_file);
    }

    protected override Task<int> ExecuteAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var path = context.Parse.GetValue(_file)!;
        var result = ConfigLoader.Load(path);
        if (context.Json)
        {
            WriteJson(context.Out, path, result);
        }
        else if (result.IsValid)
        {
            context.Out.WriteLine($"{path}: ok (node {result.Config.Node.Name}, {result.Config.Vips.Count} VIPs, {result.Config.Checks.Count} checks)");
        }
        else
        {
            foreach (var error in result.Errors)
            {
                context.Environment.Error.WriteLine(error.ToString());
            }
        }

        return Task.FromResult(result.IsValid ? ExitCodes.Ok : ExitCodes.Failure);
    }

    /// <summary><c>{"file", "ok", "node", "vips", "checks", "errors": [{"file", "line", "column", "message"}]}</c>.</summary>
    private static void WriteJson(TextWriter output, string path, ConfigResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("file", path);
            json.WriteBoolean("ok", result.IsValid);
            if (result.IsValid)
            {
                json.WriteString("node", result.Config.Node.Name);
                json.WriteNumber("vips", result.Config.Vips.Count);
                json.WriteNumber("checks", result.Config.Checks.Count);
            }

            json.WriteStartArray("errors");
            foreach (var error in result.Errors)
            {
                json.WriteStartObject();
                json.WriteString("file", error.File);
                json.WriteNumber("line", error.Line);
                json.WriteNumber("column", error.Column);
                json.WriteString("message", error.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
