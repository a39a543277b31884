namespace Vipd.Core.Intents;

/// <summary>An intent was refused; <see cref="Exception.Message"/> is for people, <see cref="Error"/> for the status code.</summary>
public sealed class IntentException : Exception
{
    public IntentException()
    {
    }

    public IntentException(string message)
        : base(message)
    {
    }

    public IntentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IntentException(IntentError error, string message)
        : base(message) => Error = error;

    /// <summary>What kind of refusal.</summary>
    public IntentError Error { get; } = IntentError.InvalidArgument;
}
