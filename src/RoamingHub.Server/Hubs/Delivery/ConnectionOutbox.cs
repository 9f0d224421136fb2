using System.Collections.Concurrent;
using RoamingHub.Server.Diagnostics;

namespace RoamingHub.Server.Hubs.Delivery;

/// <summary>One push as a connection receives it: the client method, the payload stamped for its user, and that user's seq and epoch.</summary>
internal readonly record struct OutboxItem(string Method, object Payload, long? Seq, string? Epoch = null);

/// <summary>
/// The pushes waiting for one connection, written to it one at a time in the order they were queued. Producers never
/// wait: a full outbox means the device reads slower than its pushes arrive, so the connection is closed (it
/// reconnects and resumes from its seq) instead of letting its backlog hold up anyone else or grow without bound.
/// </summary>
/// <remarks>
/// <para>
/// There is no sender loop per connection. Whoever finds the outbox idle sends: a producer that queues into an idle
/// outbox writes the push itself, which costs it the serialisation and a flush that completes at once (the
/// transport's pipe has room), and saves a hop through the thread pool per push. A write that cannot complete at once
/// (the device reads slowly, or a reply to the device is being written) is awaited off the producer's thread, and
/// whatever arrives meanwhile queues behind it, so a slow device never holds up a producer.
/// </para>
/// <para>
/// An outbox created <em>held</em> queues pushes without sending them until <see cref="Release"/>: a connection that is
/// replaying its stream must not see live entries before the replay, and must not see twice an entry the replay sent.
/// </para>
/// </remarks>
internal sealed class ConnectionOutbox
{
    /// <summary>Pushes one producer sends in a row before it hands the rest to the thread pool.</summary>
    private const int InlineSendLimit = 16;

    private readonly ConcurrentQueue<OutboxItem> _queue = new();
    private readonly Func<OutboxItem, CancellationToken, ValueTask> _send;
    private readonly Action<ConnectionOutbox> _overflowed;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopped = new();
    private Replayed? _replayed;
    private int _queued;
    private int _sending;
    private int _ended;
    private int _closing;

    /// <param name="connectionId">The connection this outbox writes to.</param>
    /// <param name="userId">The connection's user, whose seq numbers the pushes carry.</param>
    /// <param name="capacity">Pushes that may wait at once; one more closes the connection.</param>
    /// <param name="send">Writes one push to the connection and handles its own failures; it may complete at once, and is awaited when it does not, so a slow connection slows only its own pushes.</param>
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
        _replayed = held ? null : Replayed.Nothing;
    }

    public string ConnectionId { get; }

    public string UserId { get; }

    public int Capacity { get; }

    /// <summary>Whether the outbox overflowed and its connection is being closed.</summary>
    public bool Overflowed => Volatile.Read(ref _closing) == 1;

    /// <summary>Completes once the outbox has stopped (<see cref="Stop"/> or an overflow) and no write is under way.</summary>
    public Task Completion => _completion.Task;

    private bool Ended => Volatile.Read(ref _ended) == 1;

    /// <summary>
    /// Queues <paramref name="item"/> without waiting, and sends it on this thread at once if nothing else is being
    /// sent. Returns false if the outbox is full (the connection is then closed, once) or already stopped.
    /// </summary>
    public bool TryEnqueue(OutboxItem item)
    {
        if (!TryQueue(item))
        {
            return false;
        }

        SendQueued();
        return true;
    }

    /// <summary>
    /// Queues <paramref name="item"/> without sending it: the caller must call <see cref="SendPending"/> afterwards (on
    /// any thread), which sends it unless someone else is already sending and will find it. For a producer that spreads
    /// many connections' sending over a few thread-pool items of its own. Returns false as <see cref="TryEnqueue"/> does.
    /// </summary>
    public bool TryQueue(OutboxItem item)
    {
        if (Ended)
        {
            RoamingMetrics.PushDropped(Overflowed ? "overflow" : "closed");
            return false;
        }

        if (Interlocked.Increment(ref _queued) > Capacity)
        {
            RoamingMetrics.PushDropped("overflow");
            // Ending succeeds once, and not at all after Stop: a connection that has gone is not closed.
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                Volatile.Write(ref _closing, 1);
                _stopped.Cancel();
                _overflowed(this);
                CompleteIfIdle();
            }

            return false;
        }

        _queue.Enqueue(item);
        RoamingMetrics.PushQueued();
        return true;
    }

    /// <summary>Sends what <see cref="TryQueue"/> left queued, on this thread, unless someone else is sending.</summary>
    public void SendPending() => SendQueued();

    /// <summary>
    /// Starts sending, leaving out every push of <paramref name="epoch"/> at or below <paramref name="replayedUpToSeq"/>,
    /// held or arriving later, since the replay sent those (pushes without a seq, or of another epoch, always go). Does
    /// nothing on an outbox that is not held.
    /// </summary>
    public void Release(long replayedUpToSeq, string? epoch = null)
    {
        if (Interlocked.CompareExchange(ref _replayed, new Replayed(replayedUpToSeq, epoch), null) is null)
        {
            SendQueued();
        }
    }

    /// <summary>Stops sending and drops what is queued: the connection has gone.</summary>
    public void Stop()
    {
        Volatile.Write(ref _ended, 1);
        _stopped.Cancel();
        CompleteIfIdle();
    }

    /// <summary>
    /// Sends what is queued unless someone else is sending or the outbox is held. Whoever stops sending looks again
    /// after letting go (each step a full fence), so a push queued just then is never left waiting.
    /// </summary>
    private void SendQueued()
    {
        // One budget for the whole call: a producer that keeps finding new pushes as it lets go still hands over after
        // InlineSendLimit writes, so no producer thread does a device's sending for long.
        var budget = InlineSendLimit;
        while (Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            bool handedOver;
            try
            {
                handedOver = Volatile.Read(ref _replayed) is { } replayed && !Ended && !SendInline(replayed, ref budget);
            }
            catch
            {
                Interlocked.Exchange(ref _sending, 0);
                throw;
            }

            if (handedOver)
            {
                return; // a write is under way off this thread, which now owns the sending
            }

            Interlocked.Exchange(ref _sending, 0);
            if (Ended)
            {
                CompleteIfIdle();
                return;
            }

            if (Volatile.Read(ref _replayed) is null || _queue.IsEmpty)
            {
                return;
            }
        }
    }

    /// <summary>Sends queued pushes on this thread; false when it handed the sending over to a write still under way.</summary>
    private bool SendInline(Replayed replayed, ref int budget)
    {
        try
        {
            while (!Ended && _queue.TryDequeue(out var item))
            {
                Interlocked.Decrement(ref _queued);
                if (replayed.Sent(item))
                {
                    continue;
                }

                if (budget <= 0)
                {
                    HandOver(item, default, replayed);
                    return false;
                }

                budget--;
                var write = _send(item, _stopped.Token);
                if (!write.IsCompleted)
                {
                    HandOver(null, write, replayed);
                    return false;
                }

                write.GetAwaiter().GetResult();
            }
        }
        catch (OperationCanceledException) when (Ended)
        {
            // Stopped or overflowed: what is left is dropped; the device recovers it from its stream.
        }

        return true;
    }

    /// <summary>
    /// Passes the sending to a task of its own, without the producer's execution context: the pushes it sends later
    /// come from other callers, whose traces and scopes are not this one's.
    /// </summary>
    private void HandOver(OutboxItem? next, ValueTask write, Replayed replayed)
    {
        using (ExecutionContext.SuppressFlow())
        {
            _ = SendRestAsync(next, write, replayed);
        }
    }

    /// <summary>Finishes <paramref name="write"/>, or sends <paramref name="next"/> first thing, off the producer's thread, then the rest.</summary>
    private async Task SendRestAsync(OutboxItem? next, ValueTask write, Replayed replayed)
    {
        try
        {
            if (next is { } item)
            {
                await Task.Yield();
                if (!Ended)
                {
                    await _send(item, _stopped.Token).ConfigureAwait(false);
                }
            }
            else
            {
                await write.ConfigureAwait(false);
            }

            while (!Ended && _queue.TryDequeue(out var queued))
            {
                Interlocked.Decrement(ref _queued);
                if (!replayed.Sent(queued))
                {
                    await _send(queued, _stopped.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (Ended)
        {
            // Stopped or overflowed: what is left is dropped; the device recovers it from its stream.
        }
        finally
        {
            // Whatever ended the sending, it is let go, so Completion completes and later pushes are not left queued.
            Interlocked.Exchange(ref _sending, 0);
        }

        if (Ended)
        {
            CompleteIfIdle();
        }
        else if (!_queue.IsEmpty)
        {
            SendQueued();
        }
    }

    /// <summary>Completes <see cref="Completion"/> once the outbox has ended and nobody is sending; takes the sending for good.</summary>
    private void CompleteIfIdle()
    {
        if (Ended && Interlocked.CompareExchange(ref _sending, 1, 0) == 0)
        {
            _completion.TrySetResult();
        }
    }

    /// <summary>How far the replay went: a push of that epoch at or below its seq was sent by the replay.</summary>
    private sealed record Replayed(long UpToSeq, string? Epoch)
    {
        public static readonly Replayed Nothing = new(long.MinValue, null);

        public bool Sent(OutboxItem item) => item.Seq <= UpToSeq && (Epoch is null || item.Epoch is null || item.Epoch == Epoch);
    }
}
