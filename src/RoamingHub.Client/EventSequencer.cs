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
/// Puts a client's pushes in order: every entry of the user's stream (multi-device events, messages, read
/// acknowledgements) is raised exactly once and in <c>seq</c> order, this device's own changes fill their seq without
/// being raised, and a gap is filled from <c>SyncEvents</c> before later entries are raised: after a short grace, as a
/// missing entry is most often only overtaken by a later push (two calls or two nodes pushing at once). An entry of another
/// epoch means the server's numbering started again: the sequencer asks <c>SyncEvents</c> with the epoch it knows,
/// which answers <c>resyncRequired</c>. Everything is raised from one background loop, one at a time, so a handler
/// may call the hub.
/// </summary>
internal sealed class EventSequencer(IEventSequencerHost host) : IAsyncDisposable
{
    private const int CatchUpPageSize = 200;

    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SortedDictionary<long, object> _pending = [];
    private readonly SortedSet<long> _ownSeqs = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private Task? _probe;
    private TimeSpan _gapGrace;
    private bool _gapCheckPending;
    private int _disposed;
    private long _lastSeq;
    private string? _epoch;

    /// <summary>The seq of the newest entry applied, this device's own changes included.</summary>
    public long LastSeq => Interlocked.Read(ref _lastSeq);

    /// <summary>The epoch <see cref="LastSeq"/> belongs to; null until the server named one.</summary>
    public string? Epoch => Volatile.Read(ref _epoch);

    /// <summary>Live pushes that arrived again after their seq was applied, and were dropped.</summary>
    public int DuplicatesDropped { get; private set; }

    /// <summary>Entries raised from <c>SyncEvents</c> because their live push was missed.</summary>
    public int EventsRecovered { get; private set; }

    // Work may be queued before Start (pushes that arrive while the client learns its starting seq); the loop takes
    // it in arrival order once it runs.
    public void EnqueueMessage(Message message) =>
        Enqueue(message.Seq is { } seq ? new Live(seq, message.Epoch, message) : new Unsequenced(message));

    public void EnqueueEvent(MultiDeviceEvent evt) => Enqueue(new Live(evt.Seq, evt.Epoch, evt));

    public void EnqueueReadAck(ReadAck ack) => Enqueue(ack.Seq is { } seq ? new Live(seq, ack.Epoch, ack) : new Unsequenced(ack));

    /// <summary>The server never echoes a change to the device that made it: counts the change's seq as applied.</summary>
    public void EnqueueOwnSeq(long seq, string? epoch = null) => Enqueue(new OwnSeq(seq, epoch));

    /// <summary>The server could not replay this device's missed entries on connect: start again from where it stands.</summary>
    public void EnqueueResync(ResyncRequired resync) => Enqueue(new Resync(resync));

    /// <summary>Asks the loop to fill any gap after <see cref="LastSeq"/> from <c>SyncEvents</c>.</summary>
    public void EnqueueCatchUp() => Enqueue(CatchUp.Instance);

    /// <summary>
    /// Starts the loop from <paramref name="lastSeq"/> of <paramref name="epoch"/>, and the probe when an interval is
    /// given. A gap is filled from <c>SyncEvents</c> once <paramref name="gapGrace"/> passed without the missing entry
    /// (at once when zero).
    /// </summary>
    public void Start(long lastSeq, TimeSpan? probeInterval, string? epoch = null, TimeSpan gapGrace = default)
    {
        _lastSeq = lastSeq;
        _epoch = epoch;
        _gapGrace = gapGrace;
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
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

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
                    case Unsequenced unsequenced:
                        // From a server that numbers no such entries: nothing to order them by.
                        await RaiseAsync(unsequenced.Payload).ConfigureAwait(false);
                        continue;
                    case Live live when !IsCurrentEpoch(live.Epoch):
                        // Numbered in another epoch: seqs do not compare, so ask the server where this device stands.
                        catchUpNeeded = true;
                        break;
                    case OwnSeq own when !IsCurrentEpoch(own.Epoch):
                        // Kept, so that the catch-up skips it if the server continues this device's numbering; a
                        // resync clears it with everything else.
                        _ownSeqs.Add(own.Seq);
                        catchUpNeeded = true;
                        break;
                    case Live live when live.Seq <= _lastSeq:
                        DuplicatesDropped++;
                        continue;
                    case Live live:
                        _pending[live.Seq] = live.Payload;
                        break;
                    case OwnSeq own when own.Seq > _lastSeq:
                        _ownSeqs.Add(own.Seq);
                        break;
                    case CatchUp:
                        catchUpNeeded = true;
                        break;
                    case GapCheck check:
                        _gapCheckPending = false;
                        // No entry applied for a whole grace while one is missing: it was lost, not overtaken.
                        catchUpNeeded |= _lastSeq == check.LastSeq && (_pending.Count > 0 || _ownSeqs.Count > 0);
                        break;
                    case Resync resync:
                        await ResyncAsync(new SyncEventsResult { ResyncRequired = true, LastSeq = resync.Where.LastSeq, Epoch = resync.Where.Epoch })
                            .ConfigureAwait(false);
                        catchUpNeeded = false;
                        continue;
                }

                await RaiseContiguousAsync().ConfigureAwait(false);
                var gap = _pending.Count > 0 || _ownSeqs.Count > 0;
                if (catchUpNeeded || (gap && _gapGrace <= TimeSpan.Zero))
                {
                    catchUpNeeded = !await TryCatchUpAsync().ConfigureAwait(false);
                }
                else if (gap && !_gapCheckPending)
                {
                    ScheduleGapCheck();
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Looks at the gap again after the grace, with the seq applied now to tell whether any entry came since.</summary>
    private void ScheduleGapCheck()
    {
        _gapCheckPending = true;
        var check = new GapCheck(_lastSeq);
        _ = Task.Delay(_gapGrace, _stopping.Token)
            .ContinueWith(_ => Enqueue(check), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    /// <summary>Whether an entry of <paramref name="epoch"/> may be ordered by seq here; the first epoch named is adopted.</summary>
    private bool IsCurrentEpoch(string? epoch)
    {
        if (epoch is null || epoch == _epoch)
        {
            return true;
        }

        if (_epoch is null && _lastSeq == 0)
        {
            Volatile.Write(ref _epoch, epoch);
            return true;
        }

        return false;
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
                    var state = await host.GetSyncStateAsync(_stopping.Token).ConfigureAwait(false);
                    if (state.LastSeq > LastSeq || (state.Epoch is not null && Epoch is not null && state.Epoch != Epoch))
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

    /// <summary>Raises buffered entries, and skips this device's own, while they follow on without a gap.</summary>
    private async Task RaiseContiguousAsync()
    {
        while (true)
        {
            var next = _lastSeq + 1;
            if (_ownSeqs.Remove(next))
            {
                Interlocked.Exchange(ref _lastSeq, next);
            }
            else if (_pending.Remove(next, out var entry))
            {
                Interlocked.Exchange(ref _lastSeq, next);
                await RaiseAsync(entry).ConfigureAwait(false);
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Fills the gap after <see cref="LastSeq"/> from the server's stream; false when it could not.</summary>
    private async Task<bool> TryCatchUpAsync()
    {
        try
        {
            while (true)
            {
                var request = new SyncEventsRequest { SinceSeq = _lastSeq, Limit = CatchUpPageSize, Epoch = _epoch };
                var result = await host.SyncEventsAsync(request, _stopping.Token).ConfigureAwait(false);
                if (result.ResyncRequired)
                {
                    await ResyncAsync(result).ConfigureAwait(false);
                    return true;
                }

                // The server continued this device's numbering (its seq is within what a restored stream kept) under
                // the epoch it names now: later entries of that epoch are in order with what was applied.
                if (result.Epoch is not null)
                {
                    Volatile.Write(ref _epoch, result.Epoch);
                }

                foreach (var entry in result.Events.Where(e => e.Seq > _lastSeq))
                {
                    Interlocked.Exchange(ref _lastSeq, entry.Seq);
                    if (_ownSeqs.Remove(entry.Seq))
                    {
                        continue;
                    }

                    _pending.Remove(entry.Seq);
                    EventsRecovered++;
                    if (StreamEntries.Payload(entry) is { } payload)
                    {
                        await RaiseAsync(payload).ConfigureAwait(false);
                    }
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

    /// <summary>Starts again from where the server's stream stands: nothing before it can be replayed.</summary>
    private Task ResyncAsync(SyncEventsResult result)
    {
        Interlocked.Exchange(ref _lastSeq, result.LastSeq);
        Volatile.Write(ref _epoch, result.Epoch ?? _epoch);
        _pending.Clear();
        _ownSeqs.Clear();
        return host.RaiseResyncRequiredAsync(result);
    }

    private Task RaiseAsync(object payload) => payload switch
    {
        Message message => host.RaiseMessageAsync(message),
        ReadAck ack => host.RaiseReadAckAsync(ack),
        MultiDeviceEvent evt => host.RaiseEventAsync(evt),
        _ => Task.CompletedTask,
    };

    private abstract record Work;

    /// <summary>A live push with its place in the stream.</summary>
    private sealed record Live(long Seq, string? Epoch, object Payload) : Work;

    /// <summary>A live push without a seq.</summary>
    private sealed record Unsequenced(object Payload) : Work;

    private sealed record OwnSeq(long Seq, string? Epoch) : Work;

    private sealed record Resync(ResyncRequired Where) : Work;

    /// <summary>A grace ended: <see cref="LastSeq"/> was <paramref name="LastSeq"/> when it began.</summary>
    private sealed record GapCheck(long LastSeq) : Work;

    private sealed record CatchUp : Work
    {
        public static readonly CatchUp Instance = new();
    }
}
