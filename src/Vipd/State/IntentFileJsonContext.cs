using System.Text.Json.Serialization;

namespace Vipd.State;

/// <summary>Source-generated JSON for <c>intents.json</c> (no reflection: NativeAOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    RespectNullableAnnotations = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip)]
[JsonSerializable(typeof(IntentFileDocument))]
internal sealed partial class IntentFileJsonContext : JsonSerializerContext;
