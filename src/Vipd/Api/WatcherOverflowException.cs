namespace Vipd.Api;

/// <summary>A Watch client fell more than <see cref="EventHub.Capacity"/> events behind and was cut off.</summary>
internal sealed class WatcherOverflowException : Exception
{
    public WatcherOverflowException()
        : base("the client fell too far behind the event stream")
    {
    }

    public WatcherOverflowException(string message)
        : base(message)
    {
    }

    public WatcherOverflowException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
