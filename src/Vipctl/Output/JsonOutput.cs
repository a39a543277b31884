using Google.Protobuf;

namespace Vipctl.Output;

/// <summary>
/// <c>-o json</c>: the API's response messages in protobuf's canonical JSON mapping, with the .proto's own
/// snake_case field names and every field present (defaults included), so scripts see a stable shape. Enums are
/// their proto names (<c>"VIP_STATE_HOLDING"</c>), 64-bit integers strings, times RFC 3339, durations <c>"1.5s"</c>.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonFormatter Indented = new(
        JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithPreserveProtoFieldNames(true).WithIndentation("  "));

    private static readonly JsonFormatter OneLine = new(
        JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithPreserveProtoFieldNames(true));

    /// <summary>One message, indented.</summary>
    public static void Write(TextWriter writer, IMessage message) => writer.WriteLine(Indented.Format(message));

    /// <summary>One message on one line (<c>watch</c>: one JSON object per line).</summary>
    public static void WriteLine(TextWriter writer, IMessage message) => writer.WriteLine(OneLine.Format(message));
}
