namespace Vipd.Core.Crypto;

/// <summary>A key file that does not parse; <see cref="Errors"/> holds every problem as <c>SOURCE:LINE: message</c>.</summary>
public sealed class KeyringFormatException : Exception
{
    public KeyringFormatException()
        : this([])
    {
    }

    public KeyringFormatException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public KeyringFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public KeyringFormatException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    /// <summary>Each error, one per offending line.</summary>
    public IReadOnlyList<string> Errors { get; }
}
