namespace Vipd.Kubernetes.Config;

/// <summary>One problem in a config file, at a 1-based line and column.</summary>
/// <param name="File">The file name as given to the loader.</param>
/// <param name="Line">1-based line of the offending key or value.</param>
/// <param name="Column">1-based column of the offending key or value.</param>
/// <param name="Message">What is wrong, in lower case, without a trailing period.</param>
internal sealed record ConfigError(string File, int Line, int Column, string Message)
{
    /// <summary>The <c>FILE:LINE:COL: message</c> line that <c>vipd check</c> prints.</summary>
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
