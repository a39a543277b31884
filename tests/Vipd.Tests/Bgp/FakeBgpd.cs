using System.Net.Sockets;
using System.Text;

namespace Vipd.Tests.Bgp;

/// <summary>
/// A stand-in for bgpd's vty socket: reads one NUL-terminated command per connection and answers it as FRR frames it
/// (output, <c>\0\0\0</c>, status byte), or late, or half, as <see cref="Behaviour"/> says at that moment.
/// </summary>
internal sealed class FakeBgpd : IAsyncDisposable
{
    public enum Reply
    {
        /// <summary><see cref="Answer"/> with <see cref="Status"/>, at once.</summary>
        Answer,

        /// <summary>No answer at all: the connection stays open until the fake stops (a busy or stuck bgpd).</summary>
        Silent,

        /// <summary>The first half of <see cref="Answer"/>, then the connection closed (bgpd dying mid-answer).</summary>
        Half,
    }

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<Task> _serving = [];
    private readonly Lock _lock = new();
    private int _commands;

    public FakeBgpd(string socketPath)
    {
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(8);
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>How the next commands are answered (set before the read that should see it).</summary>
    public Reply Behaviour { get; set; } = Reply.Answer;

    /// <summary>The output of the answer.</summary>
    public string Answer { get; set; } = "{}";

    /// <summary>The answer's status byte (0: the command succeeded).</summary>
    public byte Status { get; set; }

    /// <summary>Commands received (each read sends one).</summary>
    public int Commands => Volatile.Read(ref _commands);

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_lock)
            {
                _serving.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            try
            {
                var command = new List<byte>();
                var buffer = new byte[256];
                while (!command.Contains(0) && command.Count < 4096)
                {
                    var read = await client.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                    if (read == 0)
                    {
                        return;
                    }

                    command.AddRange(buffer.AsSpan(0, read));
                }

                Interlocked.Increment(ref _commands);
                var answer = Encoding.UTF8.GetBytes(Answer);
                switch (Behaviour)
                {
                    case Reply.Answer:
                        await client.SendAsync((byte[])[.. answer, 0, 0, 0, Status], SocketFlags.None, _stop.Token);
                        break;
                    case Reply.Half:
                        await client.SendAsync(answer.AsMemory(0, answer.Length / 2), SocketFlags.None, _stop.Token);
                        break;
                    case Reply.Silent:
                        await Task.Delay(Timeout.InfiniteTimeSpan, _stop.Token);
                        break;
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                // Stopping, or the reader gave up first.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting;
        Task[] serving;
        lock (_lock)
        {
            serving = [.. _serving];
        }

        await Task.WhenAll(serving);
        _stop.Dispose();
    }
}
