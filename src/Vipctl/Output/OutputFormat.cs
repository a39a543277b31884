namespace Vipctl.Output;

/// <summary><c>-o table</c> (for people) or <c>-o json</c> (for scripts).</summary>
internal enum OutputFormat
{
    Table,
    Json,
}
