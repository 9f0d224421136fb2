using System.Threading.Channels;
using RoamingHub.Contracts;

namespace RoamingHub.Client;

/// <summary>What the <see cref="EventSequencer"/> needs from a client: two hub calls and the handlers to raise.</summary>
internal interface IEventSequencerHost
{
    /// <summary>Whether the connection is up; the probe skips its check while it is not.</summary>
    bool IsConnected { get; }

    Task<SyncState> GetSyncStateAsync(CancellationToken cancellationToken);

    Task<SyncEventsResult> SyncEventsAsync(SyncEventsRequest request, CancellationToken cancellationToken);

    Task RaiseMessageAsync(Message message);

    Task RaiseEventAsync(MultiDeviceEvent evt);

    Task RaiseReadAckAsync(ReadAck ack);

    Task RaiseResyncRequiredAsync(SyncEventsResult result);

    Task RaiseCatchUpFailedAsync(Exception error);
}

/// <summary>
/// Puts a client's pushes in order: multi-device events are raised exactly once and in <c>seq</c> order, this
/// device's own changes fill their seq without being raised, and a gap is filled from <c>SyncEvents</c> before later
/// events are raised. Everything is raised from one background loop, one at a time, so a handler may call the hub.
/// </summary>
internal sealed class EventSequencer(IEventSequencerHost host) : IAsyncDisposable
{
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SortedDictionary<long, MultiDeviceEvent> _pending = [];
    private readonly SortedSet<long> _ownSeqs = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private Task? _probe;
    private long _lastSeq;

    /// <summary>The seq of the newest event applied, this device's own changes included.</summary>
    public long LastSeq => Interlocked.Read(ref _lastSeq);

    /// <summary>Live pushes that arrived again after their seq was applied, and were dropped.</summary>
    public int DuplicatesDropped { get; private set; }

    /// <summary>Events raised from <c>SyncEvents</c> because their live push was missed.</summary>
    public int EventsRecovered { get; private set; }

    // Work may be queued before Start (pushes that arrive while the client learns its starting seq); the loop takes
    // it in arrival order once it runs.
    // Messages and read acks are entries of the same stream as events, ordered and deduplicated by seq with them; one
    // without a seq comes from a server that does not number them, and is raised as it comes.
    public void EnqueueMessage(Message message) => Enqueue(message.Seq is { } seq
        ? new LiveEvent(new MultiDeviceEvent { Seq = seq, Epoch = message.Epoch, Operation = MultiDeviceOperations.Message, Message = message })
        : new LiveMessage(message));

    public void EnqueueEvent(MultiDeviceEvent evt) => Enqueue(new LiveEvent(evt));

    public void EnqueueReadAck(ReadAck ack) => Enqueue(ack.Seq is { } seq
        ? new LiveEvent(new MultiDeviceEvent
        {
            Seq = seq, Epoch = ack.Epoch, Operation = MultiDeviceOperations.PeerRead, ConversationId = ack.ConversationId,
            ChatType = ack.ChatType, ReadTimestamp = ack.ReadTimestamp,
        })
        : new LiveReadAck(ack));

    /// <summary>The server never echoes a change to the device that made it: counts the change's seq as applied.</summary>
    public void EnqueueOwnSeq(long seq) => Enqueue(new OwnSeq(seq));

    /// <summary>Asks the loop to fill any gap after <see cref="LastSeq"/> from <c>SyncEvents</c>.</summary>
    public void EnqueueCatchUp() => Enqueue(CatchUp.Instance);

    /// <summary>Starts the loop from <paramref name="lastSeq"/>, and the probe when an interval is given.</summary>
    public void Start(long lastSeq, TimeSpan? probeInterval)
    {
        _lastSeq = lastSeq;
        _loop = Task.Run(ProcessAsync, CancellationToken.None);
        if (probeInterval is { } interval)
        {
            _probe = Task.Run(() => ProbeAsync(interval), CancellationToken.None);
        }
    }

    /// <summary>Takes no more work and cancels the hub call in flight; <see cref="DisposeAsync"/> waits for the loops.</summary>
    public async Task StopAsync()
    {
        _work.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (_probe is not null)
        {
            await _probe.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private void Enqueue(Work work) => _work.Writer.TryWrite(work);

    private async Task ProcessAsync()
    {
        var catchUpNeeded = false;
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                switch (work)
                {
                    case LiveMessage live:
                        await host.RaiseMessageAsync(live.Message).ConfigureAwait(false);
                        continue;
                    case LiveReadAck live:
                        await host.RaiseReadAckAsync(live.Ack).ConfigureAwait(false);
                        continue;
                    case LiveEvent live when live.Event.Seq <= _lastSeq:
                        DuplicatesDropped++;
                        continue;
                    case LiveEvent live:
                        _pending[live.Event.Seq] = live.Event;
                        break;
                    case OwnSeq own when own.Seq > _lastSeq:
                        _ownSeqs.Add(own.Seq);
                        break;
                    case CatchUp:
                        catchUpNeeded = true;
                        break;
                }

                await RaiseContiguousAsync().ConfigureAwait(false);
                if (catchUpNeeded || _pending.Count > 0 || _ownSeqs.Count > 0)
                {
                    catchUpNeeded = !await TryCatchUpAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Now and then asks for the server's newest seq; the processing loop catches up when this device is behind.</summary>
    private async Task ProbeAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                if (!host.IsConnected)
                {
                    continue;
                }

                try
                {
                    if ((await host.GetSyncStateAsync(_stopping.Token).ConfigureAwait(false)).LastSeq > LastSeq)
                    {
                        EnqueueCatchUp();
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The connection is going away; the reconnect path catches up instead.
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Raises buffered events, and skips this device's own, while they follow on without a gap.</summary>
    private async Task RaiseContiguousAsync()
    {
        while (true)
        {
            var next = _lastSeq + 1;
            if (_ownSeqs.Remove(next))
            {
                Interlocked.Exchange(ref _lastSeq, next);
            }
            else if (_pending.Remove(next, out var evt))
            {
                Interlocked.Exchange(ref _lastSeq, next);
                await RaiseEntryAsync(evt).ConfigureAwait(false);
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Fills the gap after <see cref="LastSeq"/> from the server's event log; false when it could not.</summary>
    private async Task<bool> TryCatchUpAsync()
    {
        try
        {
            while (true)
            {
                var result = await host.SyncEventsAsync(new SyncEventsRequest { SinceSeq = _lastSeq, Limit = 200 }, _stopping.Token).ConfigureAwait(false);
                if (result.ResyncRequired)
                {
                    Interlocked.Exchange(ref _lastSeq, result.LastSeq);
                    _pending.Clear();
                    _ownSeqs.Clear();
                    await host.RaiseResyncRequiredAsync(result).ConfigureAwait(false);
                    return true;
                }

                foreach (var evt in result.Events.Where(e => e.Seq > _lastSeq))
                {
                    Interlocked.Exchange(ref _lastSeq, evt.Seq);
                    if (_ownSeqs.Remove(evt.Seq))
                    {
                        continue;
                    }

                    _pending.Remove(evt.Seq);
                    EventsRecovered++;
                    await RaiseEntryAsync(evt).ConfigureAwait(false);
                }

                foreach (var stale in _pending.Keys.Where(seq => seq <= _lastSeq).ToList())
                {
                    _pending.Remove(stale);
                    DuplicatesDropped++;
                }

                _ownSeqs.RemoveWhere(seq => seq <= _lastSeq);
                if (!result.HasMore)
                {
                    await RaiseContiguousAsync().ConfigureAwait(false);
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            await host.RaiseCatchUpFailedAsync(ex).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Raises a stream entry as what it is: a message, a read acknowledgement or a multi-device event.</summary>
    private Task RaiseEntryAsync(MultiDeviceEvent entry) => entry.Operation switch
    {
        MultiDeviceOperations.Message => entry.Message is { } message ? host.RaiseMessageAsync(message) : Task.CompletedTask,
        MultiDeviceOperations.PeerRead => host.RaiseReadAckAsync(new ReadAck
        {
            ConversationId = entry.ConversationId, ChatType = entry.ChatType, ReadTimestamp = entry.ReadTimestamp ?? 0, Seq = entry.Seq, Epoch = entry.Epoch,
        }),
        _ => host.RaiseEventAsync(entry),
    };

    private abstract record Work;

    private sealed record LiveMessage(Message Message) : Work;

    private sealed record LiveEvent(MultiDeviceEvent Event) : Work;

    private sealed record LiveReadAck(ReadAck Ack) : Work;

    private sealed record OwnSeq(long Seq) : Work;

    private sealed record CatchUp : Work
    {
        public static readonly CatchUp Instance = new();
    }
}
