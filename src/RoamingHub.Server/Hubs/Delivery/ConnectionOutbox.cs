using System.Threading.Channels;

namespace RoamingHub.Server.Hubs.Delivery;

/// <summary>One push as a connection receives it: the client method, the payload stamped for its user, and that user's seq and epoch.</summary>
internal readonly record struct OutboxItem(string Method, object Payload, long? Seq, string? Epoch = null);

/// <summary>
/// The pushes waiting for one connection, written to it by one sender loop. Producers never wait: a full outbox means
/// the device reads slower than its pushes arrive, so the connection is closed (it reconnects and resumes from its seq)
/// instead of letting its backlog hold up anyone else or grow without bound.
/// </summary>
/// <remarks>
/// An outbox created <em>held</em> queues pushes without sending them until <see cref="Release"/>: a connection that is
/// replaying its stream must not see live entries before the replay, and must not see twice an entry the replay sent.
/// </remarks>
internal sealed class ConnectionOutbox
{
    private readonly Channel<OutboxItem> _queue;
    private readonly Func<OutboxItem, CancellationToken, ValueTask> _send;
    private readonly Action<ConnectionOutbox> _overflowed;
    private readonly TaskCompletionSource<Replayed> _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopped = new();
    private readonly Lock _gate = new();
    private bool _held;
    private int _closing;

    /// <param name="connectionId">The connection this outbox writes to.</param>
    /// <param name="userId">The connection's user, whose seq numbers the pushes carry.</param>
    /// <param name="capacity">Pushes that may wait at once; one more closes the connection.</param>
    /// <param name="send">Writes one push to the connection and handles its own failures; awaited, so a slow connection slows only this loop.</param>
    /// <param name="overflowed">Closes the connection; called once, on the producer's thread, so it must not block.</param>
    /// <param name="held">Whether pushes wait for <see cref="Release"/> before any is sent.</param>
    public ConnectionOutbox(
        string connectionId, string userId, int capacity, Func<OutboxItem, CancellationToken, ValueTask> send, Action<ConnectionOutbox> overflowed, bool held)
    {
        ConnectionId = connectionId;
        UserId = userId;
        Capacity = capacity;
        _send = send;
        _overflowed = overflowed;
        _held = held;
        _queue = Channel.CreateBounded<OutboxItem>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        if (!held)
        {
            _released.SetResult(Replayed.Nothing);
        }

        Completion = Task.Run(RunAsync);
    }

    public string ConnectionId { get; }

    public string UserId { get; }

    public int Capacity { get; }

    /// <summary>Whether the outbox overflowed and its connection is being closed.</summary>
    public bool Overflowed => Volatile.Read(ref _closing) == 1;

    /// <summary>The sender loop; ends after <see cref="Stop"/> or an overflow.</summary>
    public Task Completion { get; }

    /// <summary>
    /// Queues <paramref name="item"/> without waiting. Returns false if the outbox is full (the connection is then
    /// closed, once) or already stopped.
    /// </summary>
    public bool TryEnqueue(OutboxItem item)
    {
        var written = _queue.Writer.TryWrite(item);

        // Completing the queue succeeds once, and not at all after Stop: a connection that has gone is not closed.
        if (!written && _queue.Writer.TryComplete())
        {
            Volatile.Write(ref _closing, 1);
            _stopped.Cancel();
            _overflowed(this);
        }

        return written;
    }

    /// <summary>
    /// Starts sending, leaving out every push of <paramref name="epoch"/> at or below <paramref name="replayedUpToSeq"/>,
    /// held or arriving later, since the replay sent those (pushes without a seq, or of another epoch, always go). Does
    /// nothing on an outbox that is not held.
    /// </summary>
    public void Release(long replayedUpToSeq, string? epoch = null)
    {
        lock (_gate)
        {
            if (!_held)
            {
                return;
            }

            _held = false;
        }

        _released.TrySetResult(new Replayed(replayedUpToSeq, epoch));
    }

    /// <summary>Stops the sender loop and drops what is queued: the connection has gone.</summary>
    public void Stop()
    {
        _stopped.Cancel();
        _queue.Writer.TryComplete();
        _released.TrySetResult(Replayed.Nothing);
    }

    private async Task RunAsync()
    {
        var replayed = await _released.Task.ConfigureAwait(false);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stopped.Token).ConfigureAwait(false))
            {
                while (!_stopped.IsCancellationRequested && reader.TryRead(out var item))
                {
                    // Held or not: a live push can reach this node after the replay has read its entry from the store.
                    if (replayed.Sent(item))
                    {
                        continue;
                    }

                    await _send(item, _stopped.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopped.IsCancellationRequested)
        {
            // Stopped or overflowed: what is left is dropped; the device recovers it from its stream.
        }
    }

    /// <summary>How far the replay went: a push of that epoch at or below its seq was sent by the replay.</summary>
    private sealed record Replayed(long UpToSeq, string? Epoch)
    {
        public static readonly Replayed Nothing = new(long.MinValue, null);

        public bool Sent(OutboxItem item) => item.Seq <= UpToSeq && (Epoch is null || item.Epoch is null || item.Epoch == Epoch);
    }
}
